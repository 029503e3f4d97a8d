"""Preparing a review session: the proposed agenda, editing it, and sending it ahead once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import Notification
from strategy import reviews, services
from strategy.models import AgendaItem, ReadReceipt, ReviewSession
from tests.strategy.reviews_world import make_session, split_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(world):
    strategy, a, bets, options = split_strategy(world)
    return strategy, make_session(strategy, world), a, bets, options


def test_the_proposed_agenda_holds_only_split_blocking_or_unclear_points(prepared):
    strategy, session, a, bets, options = prepared
    agenda = list(session.items.filter(settled=False).order_by("position"))
    assert {i.subject_key for i in agenda} == {str(a.public_id), bets, options}
    # Time-boxed within the hour (a tenth kept for questions), most split first.
    assert sum(i.minutes for i in agenda) == 54
    assert agenda[0].subject_key == str(a.public_id) and agenda[0].minutes == max(
        i.minutes for i in agenda
    )
    settled = session.items.filter(settled=True)
    assert settled.count() >= 4 and all(i.disposition for i in settled)


def test_the_session_page_shows_agenda_and_settled_items(prepared, world, client_as):
    strategy, session, *_ = prepared
    page = client_as(world.member).get(reverse("strategy:session", args=[session.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="agenda-item"') == 3
    assert 'data-testid="settled"' in html and "agenda-add" not in html


def test_the_owner_creates_a_session_through_the_page_and_bad_input_changes_nothing(
    world, client_as
):
    strategy, *_ = split_strategy(world)
    client = client_as(world.leader)
    url = reverse("strategy:sessions", args=[strategy.pk])
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(
        url,
        {"title": "Review", "starts_at": past, "length_minutes": 45, "send_before_hours": 24},
    )
    assert resp.status_code == 400 and "start time in the future" in resp.content.decode()
    resp = client.post(
        url,
        {
            "title": "Review",
            "starts_at": "2099-01-01T10:00",
            "length_minutes": 500,
            "send_before_hours": 24,
        },
    )
    assert resp.status_code == 400
    assert not ReviewSession.objects.exists()
    resp = client.post(
        url,
        {
            "title": "Review",
            "starts_at": "2099-01-01T10:00",
            "length_minutes": 45,
            "send_before_hours": 24,
        },
    )
    session = ReviewSession.objects.get()
    assert resp.status_code == 302 and resp.url.endswith(f"{session.public_id}/")
    assert session.items.filter(settled=False).exists()


def test_the_audience_cannot_prepare_or_edit_a_session(prepared, world, client_as):
    strategy, session, *_ = prepared
    client = client_as(world.member)
    item = session.items.filter(settled=False).first()
    assert client.post(reverse("strategy:sessions", args=[strategy.pk]), {}).status_code == 403
    assert client.post(reverse("strategy:agenda_remove", args=[item.public_id])).status_code == 403
    assert (
        client.post(
            reverse("strategy:agenda_add", args=[session.public_id]), {"title": "x", "minutes": 5}
        ).status_code
        == 403
    )
    assert not AgendaItem.objects.filter(pk=item.pk, settled=True).exists()


def test_outsiders_do_not_find_the_session(prepared, world, client_as):
    strategy, session, *_ = prepared
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger")
    assert (
        client_as(stranger).get(reverse("strategy:session", args=[session.public_id])).status_code
        == 404
    )


def test_the_owner_reorders_adds_and_removes_items(prepared, world, client_as):
    strategy, session, *_ = prepared
    client = client_as(world.leader)
    first, second, third = session.items.filter(settled=False).order_by("position")
    client.post(reverse("strategy:agenda_move", args=[second.public_id]), {"direction": "up"})
    order = list(
        session.items.filter(settled=False).order_by("position").values_list("pk", flat=True)
    )
    assert order == [second.pk, first.pk, third.pk]
    client.post(
        reverse("strategy:agenda_add", args=[session.public_id]),
        {"title": "Budget for the pilot", "minutes": 10},
    )
    added = session.items.get(kind="custom")
    assert added.minutes == 10 and added.position == 3
    client.post(reverse("strategy:agenda_remove", args=[third.pk and third.public_id]))
    third.refresh_from_db()
    assert third.settled and "settle in writing" in third.disposition
    # Bad input: no minutes -> nothing added.
    client.post(
        reverse("strategy:agenda_add", args=[session.public_id]), {"title": "x", "minutes": 0}
    )
    assert session.items.filter(kind="custom").count() == 1


def test_the_agenda_goes_out_once_at_the_chosen_time(prepared, world):
    strategy, session, *_ = prepared
    assert reviews.agendas_send_due() == 0  # 30 h ahead, sent 24 h before
    later = session.send_at + timedelta(minutes=1)
    assert reviews.agendas_send_due(now=later) == 1
    assert reviews.agendas_send_due(now=later) == 0
    key = f"strategy:session:{session.public_id}:agenda"
    people = set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))
    assert people == {"member", "teammate", "lead", "outsider", "leader"}
    body = Notification.objects.filter(key=key).first().body
    assert "Pre-read: version 1" in body and "min)" in body


def test_the_agenda_respects_notification_preferences(
    prepared, world, django_capture_on_commit_callbacks
):
    from productops.accounts import tasks as account_tasks

    strategy, session, *_ = prepared
    world.teammate.notification_preference = "digest"
    world.teammate.save(update_fields=["notification_preference"])
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as queued:
        reviews.agendas_send_due(now=session.send_at + timedelta(minutes=1))
    assert len(queued) == 1  # one email task, for the "immediately" readers only
    # The digest reader gets it in their daily digest, not at once.
    assert account_tasks.send_daily_digests() == 1
    assert [m.to for m in mail.outbox] == [[world.teammate.email]]
    assert "Review session agenda" in mail.outbox[0].body


def test_one_reminder_goes_only_to_attendees_who_have_not_read(prepared, world):
    strategy, session, *_ = prepared
    services.read_record(version=session.version, user=world.member, section_keys=[""])
    assert ReadReceipt.objects.filter(user=world.member).exists()
    reviews.agendas_send_due(now=session.send_at + timedelta(minutes=1))
    assert reviews.session_reminders_send_due(now=session.send_at + timedelta(hours=1)) == 0
    at = session.remind_at + timedelta(minutes=1)
    assert reviews.session_reminders_send_due(now=at) == 1
    assert reviews.session_reminders_send_due(now=at) == 0
    key = f"strategy:session:{session.public_id}:pre-read-reminder"
    reminded = set(
        Notification.objects.filter(key=key).values_list("recipient__username", flat=True)
    )
    assert "member" not in reminded and {"teammate", "outsider"} <= reminded


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweeps_at_once_send_the_agenda_and_the_reminder_once(world):
    import threading

    from django.db import connection

    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    barrier = threading.Barrier(4)
    claims = []

    def sweep(fn, at):
        try:
            barrier.wait()
            claims.append(fn(now=at))
        finally:
            connection.close()

    for fn, at in [
        (reviews.agendas_send_due, session.send_at + timedelta(minutes=1)),
        (reviews.session_reminders_send_due, session.remind_at + timedelta(minutes=1)),
    ]:
        claims.clear()
        threads = [threading.Thread(target=sweep, args=(fn, at)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(claims) == [0, 0, 0, 1]
    key = f"strategy:session:{session.public_id}:agenda"
    assert Notification.objects.filter(key=key).count() == 5
    assert Notification.objects.filter(key=key, recipient=world.member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_position_is_recorded_once(world):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from strategy import live
    from strategy.models import Position

    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    live.session_start(session=session, by=world.leader)
    session.refresh_from_db()
    item = session.current_item
    barrier = threading.Barrier(3)
    outcomes = []

    def submit(n):
        try:
            barrier.wait()
            live.position_record(item=item, by=world.member, stance="support", line=f"Tab {n}")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert all("already recorded" in o for o in outcomes if o != "ok")
    assert Position.objects.filter(item=item, user=world.member).count() == 1
