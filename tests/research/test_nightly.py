"""The nightly refresh in chunks: whole accounts per chunk, chunks safe to run twice, a real fan-out,
and the past response rates each run stores for dry runs."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from research import eligibility, fatigue, nightly, responses, tasks
from research.models import Account, LedgerEntry, Override, PanelRefresh, Participant
from tests.research.conftest import make_participant


def _never_refreshed():
    Participant.objects.update(next_eligible_at=None, refreshed_at=None)


def test_chunks_keep_each_account_whole_and_cover_everyone(panel):
    loose = [make_participant(100 + n) for n in range(3)]
    chunks = nightly.panel_chunks(size=10)
    covered = []
    for kind, low, high in chunks:
        if kind == "accounts":
            people = Participant.objects.filter(account__id__range=(low, high))
        else:
            people = Participant.objects.filter(account__isnull=True, pk__range=(low, high))
        covered += list(people.values_list("pk", flat=True))
    assert sorted(covered) == sorted(Participant.objects.values_list("pk", flat=True))
    # The big account (25 people) is one chunk although chunks hold about 10.
    big_chunk = [c for c in chunks if c[0] == "accounts" and c[1] <= panel.big.pk <= c[2]]
    assert len(big_chunk) == 1 and big_chunk[0][1:] == (panel.big.pk, panel.big.pk)
    assert [c for c in chunks if c[0] == "loose"] == [("loose", loose[0].pk, loose[-1].pk)]


def test_a_chunk_run_twice_counts_once_and_the_last_chunk_finishes_the_run(panel, world):
    _never_refreshed()
    run = nightly.panel_refresh_start(chunk_size=10)
    chunk_ids = list(run.chunks.order_by("pk").values_list("pk", flat=True))
    assert len(chunk_ids) == 3  # the big account; two small ones; the third small one
    assert nightly.panel_chunk_refresh(chunk_id=chunk_ids[0]) is None
    first = run.chunks.get(pk=chunk_ids[0])
    assert first.done_at and first.participants == 25
    # A redelivered task: the chunk is done, nothing is counted again.
    assert nightly.panel_chunk_refresh(chunk_id=chunk_ids[0]) is None
    assert run.chunks.get(pk=chunk_ids[0]).participants == 25
    assert nightly.panel_chunk_refresh(chunk_id=chunk_ids[1]) is None
    assert PanelRefresh.objects.get(pk=run.pk).finished_at is None
    finished = nightly.panel_chunk_refresh(chunk_id=chunk_ids[2])
    assert finished.pk == run.pk and finished.finished_at
    assert finished.participants == 40 and finished.changed == 40
    assert Participant.objects.eligible().count() == 40


def test_a_redelivered_chunk_closes_a_run_whose_last_worker_died(panel):
    run = nightly.panel_refresh_start(chunk_size=10)
    *others, last = run.chunks.order_by("pk")
    for chunk in others:
        nightly.panel_chunk_refresh(chunk_id=chunk.pk)
    # The last chunk was written and marked done, then its worker died before closing the run.
    run.chunks.filter(pk=last.pk).update(done_at=timezone.now(), participants=5)
    finished = nightly.panel_chunk_refresh(chunk_id=last.pk)
    assert finished.finished_at and finished.participants == 40
    assert nightly.panel_chunk_refresh(chunk_id=last.pk) is None  # closed once


def test_the_nightly_task_hands_the_work_to_chunk_tasks(panel):
    queued = tasks.refresh_panel.apply().get()
    run = PanelRefresh.objects.get()
    assert queued == run.chunks.count() == 1
    assert run.finished_at is None  # the chunk tasks finish it
    assert tasks.refresh_panel.apply().get() == 0  # tonight is claimed


@pytest.mark.postgres
@pytest.mark.redis
def test_real_workers_share_a_refresh_and_a_chunk_taken_twice_counts_once(
    celery_worker_process,
):
    accounts = [Account.objects.create(external_id=f"A-{i}", name=f"A {i}") for i in range(6)]
    for n in range(12):
        make_participant(n, account=accounts[n % 6])
    make_participant(50)
    make_participant(51, consent=Participant.Consent.PENDING)
    run = nightly.panel_refresh_start(chunk_size=2)
    chunk_ids = list(run.chunks.values_list("pk", flat=True))
    assert len(chunk_ids) == 7  # six accounts of two, and the two people without one
    assert tasks.fan_out(run) == 7
    tasks.refresh_panel_chunk.delay(chunk_ids[0])  # as if the broker redelivered it
    assert celery_worker_process.wait_until(
        lambda: PanelRefresh.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
        timeout=60,
    ), celery_worker_process.log.read_text()[-2000:]
    run.refresh_from_db()
    assert run.participants == 14
    assert not run.chunks.filter(done_at=None).exists()
    assert Participant.objects.eligible().count() == 13


def _history(method, invitations, sessions, days_ago=30):
    person = make_participant(900 + LedgerEntry.objects.count())
    at = timezone.now() - timedelta(days=days_ago)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(participant=person, kind="invitation", method=method, at=at)] * invitations
        + [LedgerEntry(participant=person, kind="session", method=method, at=at)] * sessions
    )


def test_a_dry_run_reads_the_response_rate_the_nightly_run_stored(db, django_assert_num_queries):
    _history("interview", invitations=40, sessions=10)
    nightly.panel_refresh()
    _history("interview", invitations=0, sessions=30)  # today's sessions count from tomorrow
    cache.clear()
    overall = (10 + 0.35 * 20) / (40 + 20)
    with django_assert_num_queries(1):
        assert responses.response_rate(method="interview") == pytest.approx(
            (10 + overall * 20) / (40 + 20)
        )
        assert responses.typical_fill_days() == responses.DEFAULT_FILL_DAYS


def test_without_a_recent_run_response_rates_are_counted_from_the_ledger(db):
    _history("interview", invitations=40, sessions=10)
    _history("survey", invitations=10, sessions=10)
    cache.clear()
    overall = (20 + 0.35 * 20) / (50 + 20)
    assert responses.response_rate() == pytest.approx(overall)
    assert responses.response_rate(method="interview") == pytest.approx(
        (10 + overall * 20) / (40 + 20)
    )
    # Ten of ten is not a 100% rate yet: the prior holds it back until there are more.
    assert responses.response_rate(method="survey") == pytest.approx(
        (10 + overall * 20) / (10 + 20)
    )


def test_the_response_rate_is_accepted_over_sent_invitations_and_never_passes_one(db):
    # Sessions booked without an invitation in the ledger (a CS call turned interview) are not
    # acceptances: 12 invitations, 3 followed by a session, 40 sessions overall.
    _history("interview", invitations=12, sessions=3)
    loner = make_participant(990)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(participant=loner, kind="session", method="interview", at=timezone.now())] * 37
    )
    cache.clear()
    rate = responses.response_rate(method="interview")
    assert 0 < rate < 1
    overall = (3 + 0.35 * 20) / (12 + 20)
    assert rate == pytest.approx((3 + overall * 20) / (12 + 20))


@pytest.mark.postgres
def test_one_participants_check_is_one_query_and_agrees_with_the_batch_path(
    panel, world, django_assert_num_queries, research_request
):
    person = panel.people[3]  # in the big account
    now = timezone.now()
    LedgerEntry.objects.create(
        participant=person, account=person.account, kind="invitation", at=now - timedelta(days=3)
    )
    LedgerEntry.objects.create(
        participant=panel.people[4],
        account=person.account,
        kind="session",
        minutes=600,
        at=now - timedelta(days=5),
    )
    Override.objects.create(
        participant=person,
        rule="invitation-cooldown",
        reason="Follow-up on the bug they reported",
        by=world.researcher,
        request=research_request,
        expires_at=now + timedelta(days=3),
    )
    Account.objects.filter(pk=person.account_id).update(owner_flagged=True)
    rules = fatigue.Rules(account_max_minutes_per_quarter=500)
    with django_assert_num_queries(1):
        single = eligibility.eligibility_check(
            participant=person.pk, now=now, rules=rules, request_id=research_request.pk
        )
    batch = eligibility.eligibility_for_many(
        participant_ids=[person.pk], now=now, rules=rules, request_id=research_request.pk
    )
    assert single == batch[person.pk]
    assert {r.rule for r in single.refusals} == {"account-minutes-cap", "owner-flag"}


def test_a_check_of_an_unknown_participant_says_so(db):
    with pytest.raises(Participant.DoesNotExist):
        eligibility.eligibility_check(participant=10**9)
