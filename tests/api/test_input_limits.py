"""Input the database cannot hold, bodies too big or too deep, huge pages and malformed ids:
each gets a JSON 4xx naming the field or the limit, never a 500, and nothing is written."""

import json

import pytest
import yaml
from django.test import override_settings
from django.urls import reverse

from productops.accounts.models import ApiToken
from productops.api_limits import MAX_PAGE_SIZE
from telemetry.models import Alias, Event

pytestmark = pytest.mark.django_db


def _post_json(client, url, body: str):
    return client.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"name": "ci\\u0000token"}', "name"),
        ('{"name": "ci\\ud800token"}', "name"),
        ('{"name": "ci", "extra": {"deep": ["ok", "bad\\u0000"]}}', "extra"),
        ('{"na\\u0000me": "ci"}', "<key>"),
    ],
)
def test_unstorable_text_in_a_json_body_gets_a_400_naming_the_field(world, api_for, body, field):
    response = _post_json(api_for(world.member), "/api/v1/tokens/", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()
    assert not ApiToken.objects.exists()


def test_a_nul_byte_in_a_form_field_gets_a_400_naming_the_field(world, api_for):
    response = api_for(world.member).post("/api/v1/tokens/", {"name": "ci\x00token"})
    assert response.status_code == 400
    assert "NUL" in response.json()["name"][0]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/telemetry/aliases/?name=old%00name", "name"),
        ("/api/v1/telemetry/properties/?q=plan%00", "q"),
        ("/api/v1/research/participants/?account=acme%00", "account"),
        ("/api/v1/research/ledger/?participant=p%001", "participant"),
    ],
)
def test_a_nul_byte_in_a_query_filter_gets_a_400_naming_it(world, api_for, url, field):
    response = api_for(world.member).get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()[field][0]


def test_a_nul_byte_in_a_slug_in_the_url_gets_a_400_naming_it(world, api_for):
    response = api_for(world.member).get("/api/v1/teams/check%00out/")
    assert response.status_code == 400
    assert "NUL" in response.json()["slug"][0]


def test_surrogates_in_research_criteria_get_a_400(world, api_for):
    body = '{"criteria": {"country": ["D\\udfffE"]}, "participants_needed": 5}'
    response = _post_json(api_for(world.researcher), "/api/v1/research/requests/dry-run/", body)
    assert response.status_code == 400
    assert "At criteria.country.0:" in response.json()["criteria"][0]


def test_json_nested_too_deep_gets_a_400_on_the_lint_endpoint(world, api_for):
    deep = "[" * 1000 + "]" * 1000
    response = _post_json(api_for(world.member), "/api/v1/telemetry/lint/", deep)
    assert response.status_code == 400
    assert "nested deeper than 32" in response.json()["detail"]


def test_json_nested_just_inside_the_limit_is_parsed(world, api_for):
    body = json.dumps({"names": ["Order Completed"], "kind": "event", "x": [[[[[[[1]]]]]]]})
    response = _post_json(api_for(world.member), "/api/v1/telemetry/lint/", body)
    assert response.status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_body_over_the_limit_gets_a_json_413_naming_the_limit(world, api_for):
    body = json.dumps({"names": ["x" * 1000] * 1100, "kind": "event"})
    response = _post_json(api_for(world.member), "/api/v1/telemetry/lint/", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "1 MB" in response.json()["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_body_without_a_declared_length_is_bounded_too(world, api_for):
    from productops.api_input import JSONParser, PayloadTooLarge

    class Stream:
        def read(self, size=-1):
            return b"[" + b"1," * (size // 2) if size > 0 else b""

    with pytest.raises(PayloadTooLarge):
        JSONParser().parse(Stream())


def test_limit_is_capped_at_the_documented_maximum(world, api_for):
    event = Event.objects.create(team=world.team, name="Order Completed")
    Alias.objects.bulk_create(
        Alias(old_name=f"old_{i}", event=event) for i in range(MAX_PAGE_SIZE + 20)
    )
    response = api_for(world.member).get("/api/v1/telemetry/aliases/?limit=1000000")
    assert response.status_code == 200
    assert response.json()["count"] == MAX_PAGE_SIZE + 20
    assert len(response.json()["results"]) == MAX_PAGE_SIZE


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 5000, "-1", "abc"])
def test_huge_or_odd_limits_and_offsets_do_not_fail(world, api_for, value):
    from django.utils import timezone

    from research.models import LedgerEntry
    from tests.research.conftest import make_participant

    # An empty list answers before any LIMIT reaches the database; these need rows.
    participant = make_participant(1)
    LedgerEntry.objects.create(participant=participant, kind="session", at=timezone.now())
    client = api_for(world.researcher)
    for url in ("/api/v1/research/ledger/", "/api/v1/research/participants/"):
        assert client.get(f"{url}?limit={value}").status_code == 200
        assert client.get(f"{url}?offset={value}").status_code == 200


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/api/v1/notifications/abc/read/"),
        ("get", "/api/v1/telemetry/events/abc/"),
        ("get", "/api/v1/telemetry/conventions/one/"),
        ("get", "/api/v1/strategy/strategies/1e3/"),
        ("post", "/api/v1/strategy/feedback/x/vote/"),
        ("get", "/api/v1/research/participants/%20/eligibility/"),
        ("get", "/api/v1/research/samples/99999999999999999999999/"),
    ],
)
def test_a_malformed_id_in_the_url_is_a_404(world, api_for, method, url):
    response = getattr(api_for(world.admin), method)(url)
    assert response.status_code == 404


def test_the_schema_documents_the_page_maximum_and_every_error(world, client_for):
    schema = yaml.safe_load(client_for(world.member).get(reverse("api-schema")).content)
    limit = next(
        p
        for p in schema["paths"]["/api/v1/research/ledger/"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == MAX_PAGE_SIZE
    assert "Error" in schema["components"]["schemas"]
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for code in ("400", "401", "403", "404", "409", "413", "429"):
                assert code in operation["responses"], (operation["operationId"], code)
    retry = schema["paths"]["/api/v1/me/"]["get"]["responses"]["429"]["headers"]
    assert "Retry-After" in retry


def test_a_nul_byte_in_an_imported_csv_cell_gets_a_400_naming_the_cell(world, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from research.models import Participant
    from tests.research.test_import import GOOD

    lines = GOOD.splitlines()
    lines[2] = lines[2].replace(",", ",\x00", 1)
    upload = SimpleUploadedFile("crm.csv", "\n".join(lines).encode())
    response = api_for(world.admin).post("/api/v1/research/import/", {"file": upload})
    assert response.status_code == 400
    assert "Row 3" in response.json()["file"][0] and "NUL" in response.json()["file"][0]
    assert not Participant.objects.exists()
