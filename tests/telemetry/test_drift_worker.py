"""A real Celery worker runs the nightly drift job, and the weekly digest reaches each person once."""

import json

import pytest
from django.utils import timezone

from productops.accounts.models import Notification
from telemetry import tasks
from telemetry.models import DriftItem, Source
from telemetry.observed import observed_ingest
from telemetry.observed_batch import batch_read

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _subjects(mail_dir):
    return sorted(
        line
        for path in mail_dir.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )


def test_a_real_worker_finds_drift_and_delivers_the_digest_once(world, celery_worker_process):
    Source.objects.create(key="checkout-web", team=world.team, platform="web")
    now = timezone.now()
    body = {"batch": [{"event": "clickedPromoBanner", "source": "checkout-web"}] * 3}
    observed_ingest(batch=batch_read(json.dumps(body).encode(), now=now), now=now)

    worker = celery_worker_process
    tasks.refresh_drift.delay()
    assert worker.wait_until(
        lambda: DriftItem.objects.filter(name="clickedPromoBanner", team=world.team).exists()
    ), worker.log.read_text()[-2000:]

    # The beat entry fires once; a retry and a second beat (say, after a failover) fire again.
    for _ in range(3):
        tasks.send_drift_digests.delay()
    members = {world.member.email, world.teammate.email, world.lead.email}
    # Django's file backend writes one file per connection, which may carry several mails.
    assert worker.wait_until(lambda: len(_subjects(worker.mail_dir)) >= len(members)), (
        worker.log.read_text()[-2000:]
    )
    assert worker.wait_until(lambda: worker.log.read_text().count("send_drift_digests") >= 6)
    assert Notification.objects.filter(title__contains="new telemetry drift").count() == 3
    assert (
        set(
            Notification.objects.exclude(emailed_at=None).values_list("recipient__email", flat=True)
        )
        == members
    )
    subjects = _subjects(worker.mail_dir)
    assert len(subjects) == 3
    assert all("Checkout: 1 new telemetry drift item this week" in s for s in subjects)
