"""Research fixtures: a small panel whose denormalised eligibility is up to date."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from research import eligibility
from research.models import Account, Participant, ResearchRequest

PLANS = ["free", "starter", "pro", "enterprise"]
REGIONS = ["EMEA", "NA"]


def make_participant(n, account=None, **extra):
    defaults = {
        "external_id": f"P{n:05d}",
        "name": f"Person {n:05d}",
        "email": f"person{n}@customer.example",
        "account": account,
        "consent": Participant.Consent.GRANTED,
        "plan": PLANS[n % 4],
        "region": REGIONS[n % 2],
        "company_size": "11-50",
        "usage_level": "medium",
        "time_zone": "Europe/Berlin",
    }
    defaults.update(extra)
    return Participant.objects.create(**defaults)


@pytest.fixture
def panel(db):
    """40 consented participants over 4 accounts (one big), all eligible."""
    big = Account.objects.create(external_id="A-BIG", name="Bigcorp")
    small = [Account.objects.create(external_id=f"A-{i}", name=f"Small {i}") for i in range(3)]
    people = []
    for n in range(40):
        account = big if n < 25 else small[n % 3]
        people.append(make_participant(n, account=account))
    eligibility.refresh_participants(ids=[p.pk for p in people])
    return SimpleNamespace(big=big, small=small, people=people)


@pytest.fixture
def research_request(world):
    return ResearchRequest.objects.create(
        title="Checkout friction interviews",
        team=world.team,
        researcher=world.researcher,
        goal="Why do pro customers abandon the payment step?",
        method=ResearchRequest.Method.INTERVIEW,
        session_minutes=45,
        participants_needed=8,
        criteria={},
        dimensions=["plan"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
