"""The decision record: frozen once final, commitments with registered dissent, the look-back."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import Notification
from strategy import decisions
from strategy.models import Commitment, DecisionRecord
from tests.strategy.conftest import make_draft, open_window, reveal
from tests.strategy.reviews_world import split_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def revealed(world):
    return reveal(open_window(make_draft(world), world))


def in_days(n):
    return timezone.localdate() + timedelta(days=n)


def save(strategy, world, **overrides):
    fields = {
        "decided": "Wallets first, in the Netherlands.",
        "given_up": "No new markets this year.",
        "owner": world.leader,
        "review_on": in_days(90),
        **overrides,
    }
    return decisions.record_save(strategy=strategy, by=world.leader, **fields)


def test_the_owner_records_and_finalises_through_the_page(revealed, world, client_as):
    client = client_as(world.leader)
    url = reverse("strategy:decision", args=[revealed.pk])
    data = {
        "decided": "Wallets first.",
        "given_up": "No new markets.",
        "owner": world.leader.pk,
        "review_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "finalise": "1",
    }
    resp = client.post(url, data)
    assert resp.status_code == 400 and "review date in the future" in resp.content.decode()
    assert not DecisionRecord.objects.exists()
    data["review_on"] = in_days(60).isoformat()
    assert client.post(url, data).status_code == 302
    revealed.refresh_from_db()
    record = DecisionRecord.objects.get()
    assert record.finalised_at and revealed.phase == "final"
    page = client.get(url).content.decode()
    assert 'data-testid="record-form"' not in page and "Final since" in page


def test_a_final_record_cannot_be_edited(revealed, world, client_as):
    record = save(revealed, world)
    decisions.record_finalise(record=record, by=world.leader)
    with pytest.raises(ValidationError, match="final and cannot be changed"):
        save(revealed, world, decided="Something else entirely.")
    resp = client_as(world.leader).post(
        reverse("strategy:decision", args=[revealed.pk]),
        {
            "decided": "Rewritten",
            "given_up": "x",
            "owner": world.leader.pk,
            "review_on": in_days(9),
        },
    )
    assert resp.status_code == 400
    record.refresh_from_db()
    assert record.decided == "Wallets first, in the Netherlands."


def test_finalising_still_needs_every_blocking_point_answered(world):
    strategy, *_ = split_strategy(world)
    record = save(strategy, world)
    with pytest.raises(ValidationError):
        decisions.record_finalise(record=record, by=world.leader)
    record.refresh_from_db()
    strategy.refresh_from_db()
    assert record.finalised_at is None and strategy.phase == "reveal"


def test_only_the_owner_records_the_decision(revealed, world, client_as):
    resp = client_as(world.member).post(
        reverse("strategy:decision", args=[revealed.pk]),
        {"decided": "Mine", "given_up": "x", "owner": world.member.pk, "review_on": in_days(9)},
    )
    assert resp.status_code == 403 and not DecisionRecord.objects.exists()


def test_commitments_and_registered_dissent_are_visible_to_all(revealed, world, client_as):
    record = save(revealed, world)
    with pytest.raises(ValidationError, match="once the decision record is final"):
        decisions.commitment_record(record=record, by=world.member, kind="commit")
    decisions.record_finalise(record=record, by=world.leader)
    url = reverse("strategy:decision", args=[revealed.pk])
    member = client_as(world.member)
    resp = member.post(url, {"kind": "dissent", "statement": "Fees will eat the margin."})
    assert (
        resp.status_code == 400 and "prediction that could prove you right" in resp.content.decode()
    )
    assert not Commitment.objects.exists()
    member.post(
        url,
        {
            "kind": "dissent",
            "statement": "Fees will eat the margin.",
            "prediction": "Wallet orders will earn less than card orders by Q3.",
        },
    )
    with pytest.raises(ValidationError, match="already recorded"):
        decisions.commitment_record(record=record, by=world.member, kind="commit")
    decisions.commitment_record(record=record, by=world.teammate, kind="commit")
    page = client_as(world.outsider).get(url).content.decode()
    assert "Fees will eat the margin." in page and "Mia Member" in page
    assert "2 recorded, 1 with registered dissent" in page


def test_on_the_review_date_the_record_reopens_once_and_asks_owner_and_dissenters(revealed, world):
    record = save(revealed, world, review_on=in_days(30))
    decisions.record_finalise(record=record, by=world.leader)
    decisions.commitment_record(
        record=record, by=world.member, kind="dissent", statement="No.", prediction="It fails."
    )
    decisions.commitment_record(record=record, by=world.teammate, kind="commit")
    assert decisions.reviews_reopen_due() == 0
    review_day = timezone.make_aware(
        datetime.datetime.combine(record.review_on, datetime.time(0, 30))
    )
    assert decisions.reviews_reopen_due(now=review_day) == 1
    assert decisions.reviews_reopen_due(now=review_day) == 0
    key = f"strategy:decision:{record.public_id}:look-back"
    asked = set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))
    assert asked == {"leader", "member"}
    record.refresh_from_db()
    assert record.reopened_at == review_day


def test_admin_shows_records_and_dissents_read_only_and_never_a_sealed_position(world, client_as):
    from django.contrib import admin

    from strategy import live
    from strategy.models import Position, SessionQuestion
    from tests.strategy.reviews_world import make_session

    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    live.session_start(session=session, by=world.leader)
    session.refresh_from_db()
    live.position_record(
        item=session.current_item, by=world.member, stance="block", line="SEALED-LINE"
    )
    record = save(strategy, world)
    assert Position not in admin.site._registry and SessionQuestion not in admin.site._registry
    world.admin.is_superuser = True
    world.admin.save()
    client = client_as(world.admin)
    for model, obj in [("agendaitem", session.current_item), ("reviewsession", session)]:
        html = client.get(reverse(f"admin:strategy_{model}_change", args=[obj.pk])).content.decode()
        assert "SEALED-LINE" not in html
    url = reverse("admin:strategy_decisionrecord_change", args=[record.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"decided": "Forged", "given_up": "x"})
    client.post(reverse("admin:strategy_decisionrecord_delete", args=[record.pk]), {"post": "yes"})
    record.refresh_from_db()
    assert record.decided == "Wallets first, in the Netherlands."


def test_every_review_schedule_runs_once_without_error(world):
    from strategy import tasks

    assert tasks.send_session_agendas() == 0
    assert tasks.send_session_reminders() == 0
    assert tasks.reopen_due_decisions() == 0
