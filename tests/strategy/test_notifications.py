import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from productops.accounts.models import Notification
from productops.celery import app as celery_app
from strategy import feedback, notifications, services, tasks
from strategy.models import Strategy
from tests.factories import MembershipFactory, UserFactory
from tests.strategy.conftest import confirm, make_draft, open_window, reveal


def _closing_soon(strategy):
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=6),
        feedback_closes_at=timezone.now() + timedelta(hours=5),
    )


@pytest.mark.django_db
def test_opening_the_window_tells_the_audience(world, open_strategy):
    assert tasks.notify_version_published(open_strategy.versions.get().pk) == 4
    people = set(
        Notification.objects.filter(key=f"strategy:{open_strategy.pk}:window-open").values_list(
            "recipient__username", flat=True
        )
    )
    assert people == {"member", "teammate", "lead", "outsider"}
    assert (
        tasks.notify_version_published(open_strategy.versions.get().pk) == 0
    )  # a retry sends nothing


@pytest.mark.django_db
def test_publishing_queues_the_notification_after_commit(
    world, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_window(draft, world)
    assert len(callbacks) == 1  # the notification task, queued only once the version is committed


@pytest.mark.django_db
def test_the_reminder_goes_once_and_only_to_those_who_neither_read_nor_answered(
    world, open_strategy
):
    services.read_record(version=open_strategy.versions.get(), user=world.member, section_keys=[""])
    confirm(open_strategy, world.teammate)
    feedback.point_create(strategy=open_strategy, by=world.teammate, type="idea", body="Idea")
    assert notifications.reminders_send_due() == 0  # not due yet: 48 h left
    _closing_soon(open_strategy)
    assert tasks.send_closing_reminders() == 1
    assert notifications.reminders_send_due() == 0
    people = set(
        Notification.objects.filter(key__endswith="window-closing").values_list(
            "recipient__username", flat=True
        )
    )
    assert people == {"lead", "outsider"}


@pytest.mark.django_db
def test_the_close_sweep_reveals_and_tells_everyone(world, open_strategy):
    assert tasks.close_due_windows() == 0
    reveal(open_strategy)
    assert open_strategy.phase == "reveal" and open_strategy.revealed_at
    assert tasks.notify_revealed(open_strategy.pk) >= 5
    assert Notification.objects.filter(recipient=world.leader, key__endswith="revealed").exists()


@pytest.mark.django_db
def test_my_point_got_a_disposition(world, open_strategy):
    confirm(open_strategy, world.member)
    point = feedback.point_create(
        strategy=open_strategy, by=world.member, type="concern", body="Risky", rationale="Why"
    )
    reveal(open_strategy)
    disposition = services.disposition_set(
        point=point,
        by=world.leader,
        status="parked",
        reason="Next year, once the wallet pilot reports.",
    )
    assert tasks.notify_disposition(disposition.pk) == 1
    note = Notification.objects.get(recipient=world.member, key__endswith="disposition")
    assert (
        note.title == "Your concern was parked"
        and note.body == "Next year, once the wallet pilot reports."
    )


def test_every_strategy_schedule_points_at_a_real_task():
    schedule = celery_app.conf.beat_schedule
    for name in (
        "strategy.close_due_windows",
        "strategy.send_closing_reminders",
        "strategy.send_session_agendas",
        "strategy.send_session_reminders",
        "strategy.reopen_due_decisions",
    ):
        task_name = schedule[name]["task"]
        assert getattr(tasks, task_name.rsplit(".", 1)[1]).name == task_name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_reminder_once(world):
    strategy = open_window(make_draft(world), world)
    for n in range(6):
        MembershipFactory(user=UserFactory(username=f"extra{n}"), team=world.team)
    _closing_soon(strategy)
    barrier = threading.Barrier(4)
    claims = []

    def worker():
        try:
            barrier.wait()
            claims.append(notifications.reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claims) == [0, 0, 0, 1]
    assert Notification.objects.filter(key=f"strategy:{strategy.pk}:window-closing").count() == 10
    assert Strategy.objects.get(pk=strategy.pk).reminder_sent_at is not None


@pytest.mark.django_db
def test_each_person_reads_the_deadline_in_their_own_zone(world, draft):
    world.outsider.time_zone = "America/New_York"
    world.outsider.save()
    services.version_publish(
        strategy=draft,
        by=world.leader,
        change_summary="v1",
        closes_at=timezone.make_aware(datetime(2031, 1, 15, 17, 0), UTC),
    )
    tasks.notify_version_published(draft.versions.get().pk)
    bodies = dict(
        Notification.objects.filter(key__endswith="window-open").values_list(
            "recipient__username", "body"
        )
    )
    assert "Wed 15 Jan 2031, 18:00 (CET)" in bodies["member"]
    assert "Wed 15 Jan 2031, 12:00 (EST)" in bodies["outsider"]
