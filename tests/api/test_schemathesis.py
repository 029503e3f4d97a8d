"""Every API operation, fuzzed from its own schema as four kinds of people, never answers a 500
and always answers in the documented shape (schemathesis against the live test server)."""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from productops.accounts.services import token_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.postgres


def _schema() -> dict:
    # The same document /api/schema/ serves, built in-process so collection needs no server.
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_schema())


@pytest.fixture
def tokens(world):
    """A bearer token for admin, a developer in a team, a researcher and a leader."""
    developer = UserFactory(username="dev", display_name="Dev Eloper")
    MembershipFactory(user=developer, team=world.team, role="lead")
    people = [world.admin, developer, world.researcher, world.leader]
    return {person.username: token_create(user=person, name="fuzzing")[1] for person in people}


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_its_schema_for_any_role(case, live_server, tokens):
    for token in tokens.values():
        case.call_and_validate(
            base_url=live_server.url,
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
        )
