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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from productops.accounts.services import token_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.postgres

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _schema() -> dict:
    # The same document /api/schema/ serves, built in-process so collection needs no server.
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


@pytest.fixture
def person(request, world):
    if request.param == "developer":
        developer = UserFactory(username="dev", display_name="Dev Eloper")
        MembershipFactory(user=developer, team=world.team, role="lead")
        return developer
    return getattr(world, request.param)


@pytest.mark.parametrize("person", ["admin", "developer", "researcher", "leader"], indirect=True)
def test_no_operation_fails_or_breaks_its_schema(person, live_server):
    headers = {"Authorization": f"Bearer {token_create(user=person, name='fuzzing')[1]}"}
    schema = schemathesis.openapi.from_dict(_schema())
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
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
