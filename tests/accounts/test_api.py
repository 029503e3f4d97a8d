import pytest
import yaml
from django.urls import reverse
from openapi_spec_validator import validate

from productops.accounts.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


def test_me_shows_and_updates_my_profile(world, api_for):
    api = api_for(world.member)
    me = api.get(reverse("api:me")).json()
    assert me["teams"] == [{"slug": "checkout", "name": "Checkout", "role": "member"}]
    response = api.patch(reverse("api:me"), {"time_zone": "Asia/Tokyo"}, format="json")
    assert response.status_code == 200
    bad = api.patch(
        reverse("api:me"), {"time_zone": "Nowhere/Land", "display_name": "X"}, format="json"
    )
    assert bad.status_code == 400
    assert "time_zone" in bad.json()
    world.member.refresh_from_db()
    assert world.member.time_zone == "Asia/Tokyo"
    assert world.member.display_name == "Mia Member"


def test_roles_are_read_only_through_the_api(world, api_for):
    api_for(world.member).patch(reverse("api:me"), {"is_productops_admin": True}, format="json")
    world.member.refresh_from_db()
    assert world.member.is_productops_admin is False


def test_teams_and_memberships(world, api_for, django_assert_max_num_queries):
    api = api_for(world.outsider)
    with django_assert_max_num_queries(4):
        teams = api.get(reverse("api:team-list")).json()["results"]
    assert {t["slug"]: t["member_count"] for t in teams} == {"checkout": 3, "search": 1}
    with django_assert_max_num_queries(5):
        members = api.get(reverse("api:membership-list", args=["checkout"])).json()["results"]
    assert {m["user"]["username"] for m in members} == {"member", "teammate", "lead"}


@pytest.mark.parametrize("who", ["member", "outsider", "leader", "researcher"])
def test_only_leads_and_admins_change_a_team_through_the_api(world, api_for, who):
    api = api_for(getattr(world, who))
    assert (
        api.patch(
            reverse("api:team-detail", args=["checkout"]), {"mission": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.post(
            reverse("api:membership-list", args=["checkout"]),
            {"username": "outsider"},
            format="json",
        ).status_code
        == 403
    )
    membership = Membership.objects.get(user=world.member)
    assert (
        api.delete(reverse("api:membership-detail", args=["checkout", membership.pk])).status_code
        == 403
    )
    world.team.refresh_from_db()
    assert world.team.mission != "x"


def test_a_lead_manages_members_through_the_api(world, api_for):
    api = api_for(world.lead)
    response = api.post(
        reverse("api:membership-list", args=["checkout"]),
        {"username": "outsider", "role": "lead"},
        format="json",
    )
    assert response.status_code == 201
    assert world.outsider.leads(world.team)
    duplicate = api.post(
        reverse("api:membership-list", args=["checkout"]), {"username": "outsider"}, format="json"
    )
    assert duplicate.status_code == 400
    assert "username" in duplicate.json()
    assert AuditEntry.objects.filter(action="membership.added").count() == 1


def test_anonymous_requests_get_401(db, api_client):
    for name in ["api:me", "api:team-list", "api:token-list", "api:notification-list"]:
        assert api_client.get(reverse(name)).status_code == 401


def test_malformed_json_gets_a_clear_400(world, api_for):
    response = api_for(world.member).generic(
        "PATCH", reverse("api:me"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_the_openapi_schema_validates_and_documents_every_endpoint(world, client_for):
    response = client_for(world.member).get(reverse("api-schema"))
    schema = yaml.safe_load(response.content)
    validate(schema)
    for path in [
        "/api/v1/me/",
        "/api/v1/teams/",
        "/api/v1/teams/{team_slug}/memberships/",
        "/api/v1/tokens/",
    ]:
        assert path in schema["paths"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_interactive_docs_are_served_locally(world, client_for):
    page = client_for(world.member).get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
