"""Past response rates and time to fill, for dry runs and standby lists.

The response rate is accepted invitations over sent invitations (never sessions over
invitations, which passes 100% when sessions come from elsewhere), with a prior for small
numbers; see response_rate.

Counting a year of ledger takes hundreds of milliseconds on a large panel, so each panel refresh
stores the figures with its run (PanelRefresh.response_stats) and a dry run reads them, through
a ten-minute cache. A rate over a year of history barely moves within a day; without a recent
run (a new install) they are counted live.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from research.models import LedgerEntry, PanelRefresh

DEFAULT_RESPONSE_RATE = 0.35
DEFAULT_FILL_DAYS = 14
# A Beta prior worth this many invitations at the prior rate: a handful of invitations moves the
# estimate a little, hundreds decide it, and it can never leave 0..1.
PRIOR_INVITATIONS = 20
# An invitation counts as accepted when the same person has a session (or a no-show: they said
# yes) within this many days after it.
ACCEPT_WITHIN = timedelta(days=60)
STORED_FOR = timedelta(days=2)
STATS_VERSION = 2
_CACHE_KEY = "research:response-stats:v2"


def response_stats_compute(*, now) -> dict:
    """{"counts": {method: [sent, accepted]}, "fill_days": median days} over the past year."""
    since = now - timedelta(days=365)
    said_yes = LedgerEntry.objects.filter(
        participant=OuterRef("participant"),
        kind__in=["session", "no_show"],
        at__gte=OuterRef("at"),
        at__lte=OuterRef("at") + ACCEPT_WITHIN,
    )
    asked = LedgerEntry.objects.filter(
        participant=OuterRef("participant"),
        kind="invitation",
        at__lte=OuterRef("at"),
        at__gte=OuterRef("at") - ACCEPT_WITHIN,
    )
    counts: dict[str, list[int]] = {}
    rows = (
        LedgerEntry.objects.filter(at__gte=since, kind="invitation")
        .annotate(accepted=Exists(said_yes))
        .values("method")
        .annotate(sent=Count("id"), yes=Count("id", filter=Q(accepted=True)))
        .values_list("method", "sent", "yes")
        .order_by()
    )
    for method, sent, yes in rows:
        counts[method] = [sent, yes]
    # Five invitations and one session make one acceptance, not five: an invitation is
    # accepted only as often as yeses follow invitations.
    yeses = (
        LedgerEntry.objects.filter(at__gte=since, kind__in=["session", "no_show"])
        .filter(Exists(asked))
        .values("method")
        .annotate(n=Count("id"))
        .values_list("method", "n")
        .order_by()
    )
    answered = dict(yeses)
    for method, pair in counts.items():
        pair[1] = min(pair[1], answered.get(method, 0))
    return {"version": STATS_VERSION, "counts": counts, "fill_days": _fill_days(since)}


def _fill_days(since) -> int:
    """Median days from a past request's first invitation to its last session."""
    spans = (
        LedgerEntry.objects.filter(request__isnull=False, at__gte=since)
        .values("request_id")
        .annotate(
            first=Min("at", filter=Q(kind="invitation")), last=Max("at", filter=Q(kind="session"))
        )
        .filter(first__isnull=False, last__isnull=False)
        .values_list("first", "last")[:500]
    )
    days = sorted(max(1, (last - first).days) for first, last in spans if last > first)
    return days[len(days) // 2] if days else DEFAULT_FILL_DAYS


def _stats(now) -> dict:
    stats = cache.get(_CACHE_KEY)
    if stats is None:
        now = now or timezone.now()
        stored = (
            PanelRefresh.objects.filter(finished_at__gte=now - STORED_FOR)
            .exclude(response_stats={})
            .order_by("-finished_at")
            .values_list("response_stats", flat=True)
            .first()
        )
        # Figures stored before accepted invitations were counted do not mean the same.
        if not stored or stored.get("version") != STATS_VERSION:
            stored = response_stats_compute(now=now)
        stats = stored
        cache.set(_CACHE_KEY, stats, 600)
    return stats


def forget() -> None:
    """Drop the cached figures (a refresh stored new ones)."""
    cache.delete(_CACHE_KEY)


def _shrunk(accepted: int, sent: int, prior: float) -> float:
    accepted = min(max(accepted, 0), max(sent, 0))
    return (accepted + prior * PRIOR_INVITATIONS) / (max(sent, 0) + PRIOR_INVITATIONS)


def response_rate(*, method: str = "", now=None) -> float:
    """Accepted over sent invitations in the past year, between 0 and 1.

    The whole panel's rate leans on DEFAULT_RESPONSE_RATE, a method's on the whole panel's, each
    as a prior worth PRIOR_INVITATIONS invitations; so a method with three invitations is mostly
    the panel's rate, one with three hundred its own. A floor of 5% keeps standby lists finite.
    """
    counts = _stats(now)["counts"]
    sent = sum(c[0] for c in counts.values())
    accepted = sum(min(c[1], c[0]) for c in counts.values())
    rate = _shrunk(accepted, sent, DEFAULT_RESPONSE_RATE)
    if method:
        m_sent, m_accepted = counts.get(method, (0, 0))
        rate = _shrunk(m_accepted, m_sent, rate)
    return min(1.0, max(0.05, rate))


def typical_fill_days(*, now=None) -> int:
    """Median days from a past request's first invitation to its last session."""
    return _stats(now)["fill_days"]
