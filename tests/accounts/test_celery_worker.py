"""A real Celery worker on Redis delivers a notification exactly once, even when its task runs twice."""

import pytest

from productops.accounts import services, tasks
from productops.accounts.models import Notification
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _sent_subjects(mail_dir):
    return [
        line
        for path in mail_dir.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    ]


def test_a_real_worker_emails_a_notification_once_although_the_task_ran_twice(
    celery_worker_process,
):
    person = UserFactory(username="ines", email="ines@example.com")
    # Outside a test transaction, notify() queues the email task on commit, to the real broker.
    services.notify(recipients=[person], key="strategy:7:window-open", title="Feedback window open")
    ids = list(Notification.objects.values_list("pk", flat=True))
    # The same task delivered twice more: a retry and a duplicate from a second producer.
    tasks.send_notification_emails.delay(ids)
    tasks.send_notification_emails.delay(ids)

    worker = celery_worker_process
    assert worker.wait_until(lambda: worker.log.read_text().count("succeeded") >= 3), (
        worker.log.read_text()
    )
    assert _sent_subjects(worker.mail_dir) == ["Subject: [ProductOps] Feedback window open"]
    assert Notification.objects.get().emailed_at is not None


def test_the_same_key_twice_through_the_worker_reaches_the_person_once(celery_worker_process):
    person = UserFactory(username="jonas", email="jonas@example.com")
    for _ in range(2):
        services.notify(recipients=[person], key="research:3:reminder", title="Interview tomorrow")
    worker = celery_worker_process
    assert worker.wait_until(lambda: Notification.objects.filter(emailed_at__isnull=False).exists())
    assert worker.wait_until(lambda: worker.log.read_text().count("succeeded") >= 1)
    assert Notification.objects.count() == 1
    assert _sent_subjects(worker.mail_dir) == ["Subject: [ProductOps] Interview tomorrow"]
