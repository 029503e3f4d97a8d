"""A request with a drawn sample and a researcher with availability, for the scheduling tests."""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

from django.utils import timezone

from research import eligibility
from research.models import Availability, ResearchRequest, Sample, SampleMember

from .conftest import make_participant


def next_monday(now=None) -> datetime:
    now = now or timezone.now()
    days = 7 - now.weekday()
    return datetime.combine(now.date() + timedelta(days=days), time(0), tzinfo=UTC)


def scheduling_world(world, *, selected=4, standby=2, weekly=None, **avail):
    researcher = world.researcher
    researcher.email = "rita@example.com"
    researcher.time_zone = "Europe/Berlin"
    researcher.save()
    Availability.objects.create(
        user=researcher,
        time_zone="Europe/Berlin",
        weekly=weekly or [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)],
        buffer_after_minutes=15,
        min_notice_hours=2,
        **avail,
    )
    request = ResearchRequest.objects.create(
        title="Checkout friction interviews",
        team=world.team,
        researcher=researcher,
        goal="Why do pro customers abandon the payment step?",
        method=ResearchRequest.Method.INTERVIEW,
        session_minutes=45,
        participants_needed=selected,
        deadline=timezone.localdate() + timedelta(days=40),
        incentive_cents=5000,
    )
    sample = Sample.objects.create(
        request=request,
        seed=1,
        size=selected,
        response_rate=0.5,
        tvd=0,
        psi=0,
        created_by=researcher,
    )
    people = []
    for n in range(selected + standby):
        p = make_participant(n, time_zone="America/New_York")
        people.append(p)
        SampleMember.objects.create(
            sample=sample,
            participant=p,
            rank=n if n < selected else n - selected,
            standby=n >= selected,
            stratum="pro" if n % 2 else "free",
        )
    eligibility.refresh_participants(ids=[p.pk for p in people])
    return SimpleNamespace(request=request, sample=sample, people=people, researcher=researcher)
