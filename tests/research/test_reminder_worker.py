"""A real Celery worker on Redis sends each session reminder once, though the sweep runs thrice."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from research import booking, invitations, tasks
from research.models import Reminder
from tests.factories import MembershipFactory, TeamFactory, UserFactory

from .scheduling_world import scheduling_world
from .test_scheduling import _later

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_real_worker_sends_each_due_reminder_once(celery_worker_process):
    team = TeamFactory(name="Growth", slug="growth")
    rita = UserFactory(username="researcher", display_name="Rita Researcher", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    w = scheduling_world(SimpleNamespace(team=team, researcher=rita), selected=1, standby=0)
    invitation = invitations.invitations_send(request=w.request, by=rita).sent[0]
    slot = _later(w.request)[0]
    booked = booking.booking_confirm(
        booking=booking.booking_hold(invitation=invitation, start=slot.start, tz="UTC"), answers=[]
    )
    # The 24-hour reminders are due now; the 1-hour ones are not yet.
    Reminder.objects.filter(booking=booked, hours_before=24).update(due_at=timezone.now())
    for _ in range(3):
        tasks.send_session_reminders.delay()

    worker = celery_worker_process
    assert worker.wait_until(lambda: worker.log.read_text().count("succeeded") >= 3), (
        worker.log.read_text()
    )
    subjects = [
        line
        for path in worker.mail_dir.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: Reminder")
    ]
    assert len(subjects) == 2  # participant and researcher, once each
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
    assert Reminder.objects.filter(hours_before=1, sent_at=None).count() == 2
