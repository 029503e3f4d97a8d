"""The nightly re-evaluation of the whole panel, in chunks that any number of workers can share.

A run is claimed once per day (or started after a rules edit), cut into chunks of whole
accounts plus id ranges of people without an account, and each chunk is re-evaluated by
research/eligibility.py. A chunk may run twice (a redelivered task, two workers): it computes
and writes the same values, and only the first to finish it counts it. Whoever finishes the
last chunk finishes the run: fresh planner statistics, the past response rates for dry runs,
and the warnings to ProductOps about open requests.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from research import eligibility, responses
from research.models import FatigueRuleSet, PanelRefresh, PanelRefreshChunk, Participant

Kind = PanelRefreshChunk.Kind


def panel_chunks(size: int = eligibility.CHUNK) -> list[tuple[str, int, int]]:
    """(kind, low, high) slices of about `size` participants; an account is never split."""
    chunks, low, count, last = [], None, 0, None
    per_account = (
        Participant.objects.filter(account__isnull=False)
        .values_list("account_id")
        .annotate(n=Count("id"))
        .order_by("account_id")
    )
    for account_id, n in per_account:
        low = account_id if low is None else low
        count += n
        last = account_id
        if count >= size:
            chunks.append((Kind.ACCOUNTS, low, last))
            low, count = None, 0
    if low is not None:
        chunks.append((Kind.ACCOUNTS, low, last))
    loose = list(
        Participant.objects.filter(account__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(loose), size):
        part = loose[start : start + size]
        chunks.append((Kind.LOOSE, part[0], part[-1]))
    return chunks


def panel_refresh_start(
    *, now=None, day=None, nightly: bool = True, chunk_size: int = eligibility.CHUNK
) -> PanelRefresh | None:
    """Claim a run and record its chunks. A nightly run returns None when the day is taken."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            run = PanelRefresh.objects.create(
                day=(day or now.date()) if nightly else None, started_at=now
            )
            PanelRefreshChunk.objects.bulk_create(
                PanelRefreshChunk(run=run, kind=kind, low=low, high=high)
                for kind, low, high in panel_chunks(chunk_size)
            )
    except IntegrityError:
        return None
    return run


def panel_chunk_refresh(*, chunk_id: int, rules=None) -> PanelRefresh | None:
    """Re-evaluate one chunk as of its run's start; returns the run if this finished it."""
    chunk = PanelRefreshChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    if chunk.done_at is None:
        rules = rules or FatigueRuleSet.objects.current_rules()
        spec = (
            eligibility.Chunk.of_accounts(chunk.low, chunk.high)
            if chunk.kind == Kind.ACCOUNTS
            else eligibility.Chunk.of_loose(chunk.low, chunk.high)
        )
        changed, seen = eligibility.refresh_chunk(spec, now=run.started_at, rules=rules)
        PanelRefreshChunk.objects.filter(pk=chunk.pk, done_at=None).update(
            done_at=timezone.now(), participants=seen, changed=changed
        )
    # Also for a chunk already done: its first worker may have died before finishing the run.
    if run.finished_at or PanelRefreshChunk.objects.filter(run=run, done_at=None).exists():
        return None
    return panel_refresh_finish(run=run)


def panel_refresh_finish(*, run: PanelRefresh) -> PanelRefresh | None:
    """Close a run whose chunks are all done, once: totals, statistics, rates and warnings."""
    from research import services

    finished = timezone.now()
    if not PanelRefresh.objects.filter(pk=run.pk, finished_at=None).update(finished_at=finished):
        return None
    totals = run.chunks.aggregate(participants=Sum("participants"), changed=Sum("changed"))
    if connection.vendor == "postgresql":
        # The refresh rewrote the columns dry runs filter on: give the planner fresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE research_participant")
    PanelRefresh.objects.filter(pk=run.pk).update(
        participants=totals["participants"] or 0,
        changed=totals["changed"] or 0,
        seconds=(finished - run.started_at).total_seconds(),
        response_stats=responses.response_stats_compute(now=run.started_at),
    )
    run.refresh_from_db()
    responses.forget()
    if run.day is not None:
        services.admins_warn_about_requests(now=run.started_at)
    return run


def _run_here(run: PanelRefresh) -> PanelRefresh:
    rules = FatigueRuleSet.objects.current_rules()
    for chunk_id in run.chunks.order_by("pk").values_list("pk", flat=True):
        panel_chunk_refresh(chunk_id=chunk_id, rules=rules)
    if run.chunks.exists():
        run.refresh_from_db()
        return run
    return panel_refresh_finish(run=run) or run


def panel_refresh(*, now=None, day=None) -> PanelRefresh | None:
    """The nightly job in this process, chunk after chunk (tests, benchmarks, a manual run).

    Returns None when another worker already claimed that day's run.
    """
    run = panel_refresh_start(now=now, day=day)
    return _run_here(run) if run else None


def panel_reevaluate(*, now=None) -> tuple[int, int]:
    """Re-evaluate every participant under the current rules in this process: (changed, seen).

    No daily claim: after a rules edit this must run even if tonight's job already did, and a
    second concurrent run only rewrites the same values.
    """
    run = _run_here(panel_refresh_start(now=now, nightly=False))
    return run.changed, run.participants
