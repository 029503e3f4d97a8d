"""A real Celery worker on Redis: publishing notifies the audience, the sweep reveals once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from productops.accounts.models import Notification
from strategy import tasks
from strategy.models import Strategy
from tests.strategy.conftest import make_draft, open_window

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_publishing_and_the_reveal_sweep_run_through_a_real_worker_once(
    world, celery_worker_process
):
    worker = celery_worker_process
    strategy = open_window(make_draft(world), world)  # commits, so the task goes to Redis
    opened = f"strategy:{strategy.pk}:window-open"
    assert worker.wait_until(lambda: Notification.objects.filter(key=opened).count() == 4), (
        worker.log.read_text()
    )

    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(minutes=1),
    )
    # The beat fires the sweep; a duplicate delivery must not reveal or notify twice.
    tasks.close_due_windows.delay()
    tasks.close_due_windows.delay()
    revealed = f"strategy:{strategy.pk}:revealed"
    assert worker.wait_until(lambda: Notification.objects.filter(key=revealed).count() >= 5), (
        worker.log.read_text()
    )
    assert worker.wait_until(
        lambda: worker.log.read_text().count("strategy.tasks.close_due_windows") >= 2
    )
    strategy.refresh_from_db()
    assert strategy.phase == "reveal"
    assert Notification.objects.filter(key=revealed, recipient=world.member).count() == 1
    # Each "immediately" reader got exactly one email per event.
    assert worker.wait_until(lambda: not Notification.objects.filter(emailed_at=None).exists())
    subjects = [
        line
        for p in worker.mail_dir.iterdir()
        for line in p.read_text().splitlines()
        if line.startswith("Subject: ")
    ]
    assert (
        subjects.count("Subject: [ProductOps] Feedback revealed: Checkout 2027")
        == Notification.objects.filter(key=revealed).count()
    )


def test_a_real_worker_sends_a_session_agenda_once_however_often_the_sweep_fires(
    world, celery_worker_process
):
    from strategy.models import ReviewSession
    from tests.strategy.reviews_world import make_session, split_strategy

    worker = celery_worker_process
    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    # The agenda is due now: the beat fires the sweep, twice at once on two worker processes.
    ReviewSession.objects.filter(pk=session.pk).update(
        send_at=timezone.now() - timedelta(minutes=1)
    )
    for _ in range(4):
        tasks.send_session_agendas.delay()
    key = f"strategy:session:{session.public_id}:agenda"
    assert worker.wait_until(
        lambda: worker.log.read_text().count("strategy.tasks.send_session_agendas") >= 8
    ), worker.log.read_text()

    def agenda_subjects():
        return [
            line
            for p in worker.mail_dir.iterdir()
            for line in p.read_text().splitlines()
            if line.startswith("Subject: ") and "agenda" in line
        ]

    # Wait for the mails themselves: "nothing unemailed" is also true before anything exists.
    assert worker.wait_until(
        lambda: (
            Notification.objects.filter(key=key).count() >= 5
            and not Notification.objects.filter(emailed_at=None).exists()
            and len(agenda_subjects()) >= 5
        )
    ), worker.log.read_text()
    assert Notification.objects.filter(key=key).count() == 5
    assert Notification.objects.filter(key=key, recipient=world.member).count() == 1
    subjects = agenda_subjects()
    assert subjects == ["Subject: [ProductOps] Review session agenda: Checkout review"] * 5
    session.refresh_from_db()
    assert session.agenda_sent_at is not None
