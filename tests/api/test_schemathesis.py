"""Every API operation, fuzzed from its own schema as four kinds of people, never answers a 500
and always answers in the documented shape (schemathesis against the live test server).

One test per role walks all operations: a test per operation would empty the database ~80
times per role, which costs more than the fuzzing. FUZZ_EXAMPLES raises the examples per
operation for a deeper run (the issue's audit used 25).
"""

import json
import os

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from productops.accounts.services import token_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.postgres

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _schema() -> dict:
    # The same document /api/schema/ serves, built in-process so collection needs no server.
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _cases(operation):
    """Valid requests and requests that break the schema (these must get a 4xx, not a 500)."""
    positive = operation.as_strategy()
    try:
        return st.one_of(positive, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    except Exception:  # nothing in this operation can be made invalid
        return positive


@pytest.fixture
def person(request, world):
    if request.param == "developer":
        developer = UserFactory(username="dev", display_name="Dev Eloper")
        MembershipFactory(user=developer, team=world.team, role="lead")
        return developer
    return getattr(world, request.param)


@pytest.fixture
def records(world):
    """One of each thing the API lists, so list answers carry real objects to validate."""
    from datetime import timedelta

    from django.utils import timezone

    from productops.accounts.services import notify
    from research import eligibility, targeting
    from research.models import LedgerEntry, ResearchRequest
    from telemetry import services as telemetry
    from tests.research.conftest import make_participant
    from tests.strategy.conftest import make_draft, open_window

    event = telemetry.event_register(team=world.team, name="Order Completed", by=world.member)
    telemetry.event_update(event=event, by=world.member, name="Checkout Completed")
    open_window(make_draft(world), world)
    people = [make_participant(n) for n in range(12)]
    eligibility.refresh_participants(ids=[p.pk for p in people])
    LedgerEntry.objects.create(participant=people[0], kind="session", at=timezone.now())
    request = ResearchRequest.objects.create(
        title="Checkout friction interviews",
        team=world.team,
        researcher=world.researcher,
        goal="Why do pro customers abandon the payment step?",
        method=ResearchRequest.Method.INTERVIEW,
        session_minutes=45,
        participants_needed=4,
        criteria={},
        dimensions=["plan"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    targeting.sample_draw(request=request, by=world.researcher, seed=1)
    for person in (world.admin, world.member, world.researcher, world.leader):
        notify(recipients=[person], key="fuzz:hello", title="Hello")


@pytest.mark.parametrize("person", ["admin", "developer", "researcher", "leader"], indirect=True)
def test_no_operation_fails_or_breaks_its_schema(person, records, live_server):
    headers = {"Authorization": f"Bearer {token_create(user=person, name='fuzzing')[1]}"}
    schema = schemathesis.openapi.from_dict(_schema())
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=_cases(operation))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation, not the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
