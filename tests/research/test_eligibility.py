"""The database path around research.fatigue: ledger writes, refresh, account caps, overrides, nightly job."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from productops.accounts.models import AuditEntry, Notification
from research import eligibility, fatigue, nightly, request_edits, services, targeting, tasks
from research.models import (
    LedgerEntry,
    Override,
    PanelRefresh,
    Participant,
)
from tests.research.conftest import make_participant


def _fresh(p):
    return Participant.objects.get(pk=p.pk)


def test_a_ledger_write_refreshes_the_participants_eligibility(panel, world):
    person = panel.people[30]
    assert _fresh(person).eligible_now()
    services.ledger_record(
        participant=person, kind="invitation", team=world.team, by=world.researcher
    )
    person = _fresh(person)
    assert not person.eligible_now()
    assert person.blocked_rules == ["invitation-cooldown"]
    assert person.next_eligible_at == pytest.approx(
        person.ledger.get().at + timedelta(days=14), abs=timedelta(seconds=1)
    )
    assert person.contact_count == 1
    assert person.last_contacted_at is not None


def test_the_denormalised_state_agrees_with_the_full_check(panel):
    person = panel.people[31]
    now = timezone.now()
    services.ledger_record(
        participant=person, kind="session", at=now - timedelta(days=10), minutes=60
    )
    check = eligibility.eligibility_check(participant=_fresh(person))
    person = _fresh(person)
    assert not check.eligible
    assert person.blocked_rules == sorted(check.rules)
    assert person.next_eligible_at == check.next_eligible_at


def test_per_account_session_cap_blocks_everyone_at_the_account(panel):
    services.rules_update(
        rules=fatigue.Rules(account_max_sessions_per_quarter=3, session_cooldown_days=0),
        by=_admin(),
        note="tighter for the test",
    )
    big = panel.big.participants.order_by("id")
    others = list(big[3:])
    now = timezone.now()
    for person in big[:2]:
        services.ledger_record(
            participant=person, kind="session", at=now - timedelta(days=5), minutes=30
        )
    assert all(_fresh(p).eligible_now() for p in others), "two sessions are under the cap of three"
    services.ledger_record(
        participant=big[2], kind="session", at=now - timedelta(days=1), minutes=30
    )
    blocked = Participant.objects.filter(account=panel.big).exclude(
        next_eligible_at__lte=timezone.now()
    )
    assert blocked.count() == panel.big.participants.count()
    assert all("account-session-cap" in p.blocked_rules for p in blocked)
    # Other accounts are untouched.
    assert all(p.eligible_now() for p in Participant.objects.filter(account__in=panel.small))


def test_per_account_minutes_cap_counts_every_participant(panel):
    services.rules_update(rules=fatigue.Rules(account_max_minutes_per_quarter=100), by=_admin())
    small = panel.small[0].participants.order_by("id")
    services.ledger_record(
        participant=small[0], kind="session", at=timezone.now() - timedelta(days=2), minutes=100
    )
    for person in small:
        assert "account-minutes-cap" in _fresh(person).blocked_rules


def _admin():
    from tests.factories import UserFactory

    return UserFactory(username="rules-admin", is_productops_admin=True)


def test_an_override_needs_a_written_reason(panel, world, research_request):
    person = panel.people[32]
    services.ledger_record(participant=person, kind="invitation")
    with pytest.raises(ValidationError) as error:
        services.override_grant(
            participant=person,
            rule="invitation-cooldown",
            reason="  ",
            by=world.researcher,
            request=research_request,
        )
    assert "reason" in error.value.message_dict
    assert not Override.objects.exists()
    assert not _fresh(person).eligible_now()


def test_an_override_lifts_the_cooldown_for_its_request_only_and_is_audited(
    panel, world, research_request
):
    person = panel.people[33]
    services.ledger_record(participant=person, kind="invitation")
    override = services.override_grant(
        participant=person,
        rule="invitation-cooldown",
        reason="Follow-up on her checkout bug report from last week",
        by=world.researcher,
        request=research_request,
    )
    assert eligibility.eligibility_check(
        participant=person, request_id=research_request.pk
    ).eligible
    # Every other request, and the panel everyone sees, still has the cooldown.
    assert not eligibility.eligibility_check(participant=person).eligible
    assert not _fresh(person).eligible_now()
    # It ends with the request, not 30 days later.
    assert override.expires_at == services.override_expiry(research_request)
    entry = AuditEntry.objects.get(action="research.override.granted")
    assert entry.actor == world.researcher
    assert "checkout bug" in entry.reason
    assert entry.data["request"] == research_request.pk


def test_an_override_cannot_be_granted_without_a_request_and_ends_when_it_closes(
    panel, world, research_request
):
    from research.request_edits import request_close

    person = panel.people[31]
    services.ledger_record(participant=person, kind="invitation")
    with pytest.raises(ValidationError) as error:
        services.override_grant(
            participant=person,
            rule="invitation-cooldown",
            reason="A standing exception for this person",
            by=world.researcher,
            request=None,
        )
    assert "request" in error.value.message_dict
    services.override_grant(
        participant=person,
        rule="invitation-cooldown",
        reason="Follow-up on her checkout bug report",
        by=world.researcher,
        request=research_request,
    )
    request_close(request=research_request, by=world.researcher)
    assert not Override.objects.filter(expires_at__gt=timezone.now()).exists()
    assert not eligibility.eligibility_check(
        participant=person, request_id=research_request.pk
    ).eligible


def test_an_overridden_person_is_drawn_only_for_the_overriding_request(
    panel, world, research_request
):
    from research.models import ResearchRequest

    services.rules_update(
        rules=fatigue.Rules(
            account_max_sessions_per_quarter=1000, account_max_minutes_per_quarter=10**5
        ),
        by=world.admin,
    )
    person = panel.people[30]
    services.ledger_record(participant=person, kind="session", request=None, minutes=45)
    research_request.participants_needed = 40
    research_request.save(update_fields=["participants_needed"])
    other = ResearchRequest.objects.create(
        title="Search interviews",
        team=world.other_team,
        researcher=world.researcher,
        goal="g",
        participants_needed=40,
        deadline=research_request.deadline,
    )
    services.override_grant(
        participant=person,
        rule="session-cooldown",
        reason="Follow-up on the session she had last week",
        by=world.researcher,
        request=research_request,
    )
    drawn_other = targeting.sample_draw(request=other, by=world.researcher, seed=1)
    assert not drawn_other.members.filter(participant=person).exists()
    request_edits.request_close(request=other, by=world.researcher)
    drawn = targeting.sample_draw(request=research_request, by=world.researcher, seed=1)
    assert drawn.members.filter(participant=person, standby=False).exists()


@pytest.mark.parametrize("rule", ["opt-out", "consent", "do-not-contact", "account-session-cap"])
def test_consent_opt_out_and_caps_can_never_be_overridden(panel, world, rule, research_request):
    person = panel.people[34]
    with pytest.raises(ValidationError) as error:
        services.override_grant(
            participant=person,
            rule=rule,
            reason="We really need this person for the study",
            by=world.admin,
            request=research_request,
        )
    assert "cannot be overridden" in error.value.message_dict["rule"][0]


def test_opted_out_participants_stay_blocked_even_with_an_override(panel, world, research_request):
    person = panel.people[35]
    Participant.objects.filter(pk=person.pk).update(opted_out=True)
    eligibility.refresh_participants(ids=[person.pk])
    services.override_grant(
        participant=person,
        rule="invitation-cooldown",
        reason="Trying to sneak past the opt-out",
        by=world.admin,
        request=research_request,
    )
    person = _fresh(person)
    assert person.next_eligible_at is None
    assert "opt-out" in person.blocked_rules
    assert not eligibility.eligibility_check(
        participant=person, request_id=research_request.pk
    ).eligible


def test_the_nightly_job_rolls_windows_and_warns_admins_about_requests(
    panel, world, research_request
):
    # Everybody but three got a session recently: the request for 8 cannot be filled.
    services.rules_update(
        rules=fatigue.Rules(
            account_max_sessions_per_quarter=1000, account_max_minutes_per_quarter=10**5
        ),
        by=world.admin,
    )
    now = timezone.now()
    rows = [
        LedgerEntry(
            participant=p, account=p.account, kind="session", at=now - timedelta(days=59, hours=23)
        )
        for p in panel.people[3:]
    ]
    LedgerEntry.objects.bulk_create(rows)
    run = nightly.panel_refresh()
    assert run.changed > 0
    assert Participant.objects.eligible().count() == 3
    assert run == PanelRefresh.objects.get()
    assert run.participants == 40 and run.finished_at
    warning = Notification.objects.get(recipient=world.admin)
    assert research_request.title in warning.title
    assert "eligible" in warning.body
    assert not Notification.objects.filter(recipient=world.researcher).exists()
    # A second run the same day is refused by the claim.
    assert nightly.panel_refresh() is None
    # Two days later the 60-day session cooldown has lapsed for all of them.
    later = now + timedelta(days=2)
    nightly.panel_refresh(now=later)
    assert Participant.objects.eligible(at=later).count() == 40


def test_nightly_refresh_handles_people_without_an_account(db):
    loose = make_participant(1, account=None)
    make_participant(2, account=None, consent=Participant.Consent.PENDING)
    run = nightly.panel_refresh()
    assert run.participants == 2
    assert Participant.objects.eligible().get() == loose


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_nightly_runs_at_once_do_the_work_once(transactional_db):
    for n in range(30):
        make_participant(n)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(nightly.panel_refresh())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [r for r in results if r is not None]
    assert len(done) == 1
    assert PanelRefresh.objects.count() == 1
    assert Participant.objects.eligible().count() == 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_researchers_overriding_at_once_record_one_override(transactional_db, world):
    from research.models import ResearchRequest
    from tests.factories import UserFactory

    person = make_participant(1)
    services.ledger_record(participant=person, kind="invitation")
    researchers = [
        UserFactory(username=f"r{i}", is_researcher=True, is_productops_admin=True)
        for i in range(2)
    ]
    request = ResearchRequest.objects.create(
        title="Follow-ups",
        team=world.team,
        researcher=world.researcher,
        goal="g",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    barrier = threading.Barrier(2)
    errors = []

    def run(user):
        try:
            barrier.wait()
            services.override_grant(
                participant=person,
                rule="invitation-cooldown",
                reason="Follow-up on the same bug report, both of us",
                by=user,
                request=request,
            )
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in researchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Override.objects.count() == 1
    assert AuditEntry.objects.filter(action="research.override.granted").count() == 1
    assert eligibility.eligibility_check(participant=person, request_id=request.pk).eligible


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_runs_the_nightly_refresh(celery_worker_process):
    for n in range(5):
        make_participant(n)
    Participant.objects.update(next_eligible_at=None)  # as if never refreshed
    tasks.refresh_panel.delay()
    assert celery_worker_process.wait_until(
        lambda: PanelRefresh.objects.filter(finished_at__isnull=False).exists(), timeout=60
    ), celery_worker_process.log.read_text()[-2000:]
    assert Participant.objects.eligible().count() == 5


def test_a_rules_edit_re_evaluates_the_panel_even_after_tonights_run(panel, world):
    nightly.panel_refresh()  # tonight's run is done
    person = panel.people[36]
    services.ledger_record(
        participant=person, kind="invitation", at=timezone.now() - timedelta(days=10)
    )
    assert "invitation-cooldown" in _fresh(person).blocked_rules
    services.rules_update(
        rules=fatigue.Rules(invitation_cooldown_days=7), by=world.admin, note="A week is enough"
    )
    nightly.panel_reevaluate()  # what the task queued on commit by rules_update runs
    assert _fresh(person).eligible_now()
