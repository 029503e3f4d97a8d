import pytest
from django.urls import reverse

from productops.accounts.models import AuditEntry
from telemetry.models import Alias, Event
from tests.telemetry.property_rows import property_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(register):
    return register(
        "Order Completed", description="Payment went through.", tags=["funnel"], platforms=["web"]
    )


def _form(**overrides):
    return {
        "name": "Product Viewed",
        "description": "",
        "status": "active",
        "tags": "",
        "example_payload": "",
        **overrides,
    }


@pytest.mark.parametrize(
    "name", ["index", "event_new", "health", "convention", "property_list", "import_upload"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"telemetry:{name}"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "teammate", "outsider", "admin", "leader"])
def test_everyone_signed_in_can_read_the_catalogue_and_the_event(world, client_for, event, who):
    client = client_for(getattr(world, who))
    listing = client.get(reverse("telemetry:index"))
    assert listing.status_code == 200
    assert "Order Completed" in listing.content.decode()
    detail = client.get(event.get_absolute_url())
    assert detail.status_code == 200
    assert "Payment went through." in detail.content.decode()


def test_a_member_registers_an_event_at_once(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"),
        _form(
            team=world.team.pk,
            name="Coupon Applied",
            platforms=["web", "ios"],
            tags="funnel, revenue",
            **property_rows(
                {"name": "coupon_code", "type": "string", "required": "on"},
                {"name": "discount", "type": "number"},
            ),
        ),
    )
    event = Event.objects.get(name="Coupon Applied")
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert event.team == world.team
    assert event.lint_state == "ok"
    assert sorted(event.tags.values_list("name", flat=True)) == ["funnel", "revenue"]
    assert [
        (ep.property.name, ep.required) for ep in event.event_properties.select_related("property")
    ] == [("coupon_code", True), ("discount", False)]
    assert AuditEntry.objects.filter(
        action="telemetry.event.registered", target_id=str(event.pk)
    ).exists()


def test_a_name_that_breaks_the_convention_is_registered_with_warnings(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(team=world.team.pk, name="clickedSignupBtn")
    )
    event = Event.objects.get(name="clickedSignupBtn")
    assert response.status_code == 302
    assert event.lint_state == "warnings"
    assert event.lint_suggestion == "Signup Button Clicked"
    page = client_for(world.member).get(event.get_absolute_url()).content.decode()
    assert "Signup Button Clicked" in page


def test_nobody_registers_for_a_team_they_are_not_in(world, client_for):
    response = client_for(world.outsider).post(
        reverse("telemetry:event_new"), _form(team=world.team.pk)
    )
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert not Event.objects.exists()


def test_people_without_a_team_cannot_open_the_register_form(world, client_for):
    assert client_for(world.leader).get(reverse("telemetry:event_new")).status_code == 403


@pytest.mark.parametrize(
    "who,status",
    [("member", 200), ("teammate", 200), ("lead", 200), ("outsider", 403), ("admin", 403)],
)
def test_only_the_owning_team_edits_an_event(world, client_for, event, who, status):
    client = client_for(getattr(world, who))
    assert client.get(reverse("telemetry:event_edit", args=[event.pk])).status_code == status
    response = client.post(
        reverse("telemetry:event_edit", args=[event.pk]),
        _form(name="Order Completed", description="changed"),
    )
    event.refresh_from_db()
    if status == 403:
        assert response.status_code == 403
        assert event.description == "Payment went through."
    else:
        assert response.status_code == 302
        assert event.description == "changed"


def test_renaming_keeps_the_old_name_as_an_alias(world, client_for, register):
    event = register("add_to_cart")
    response = client_for(world.teammate).post(
        reverse("telemetry:event_edit", args=[event.pk]), _form(name="Product Added")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.name == "Product Added"
    assert event.lint_state == "ok"
    assert Alias.objects.get(old_name="add_to_cart").event == event
    entry = AuditEntry.objects.get(action="telemetry.event.renamed")
    assert entry.data == {"from": "add_to_cart", "to": "Product Added"}
    page = client_for(world.outsider).get(event.get_absolute_url()).content.decode()
    assert "add_to_cart" in page


def test_an_old_name_cannot_be_registered_again_for_another_event(world, client_for, register):
    event = register("add_to_cart")
    client_for(world.member).post(
        reverse("telemetry:event_edit", args=[event.pk]), _form(name="Product Added")
    )
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(team=world.team.pk, name="add_to_cart")
    )
    assert response.status_code == 400
    assert "old name of “Product Added”" in response.context["form"].errors["name"][0]


def test_an_existing_name_points_to_reuse(world, client_for, register):
    register("Order Completed")
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(team=world.team.pk, name="Order Completed")
    )
    assert response.status_code == 400
    assert "already in the catalogue" in response.context["form"].errors["name"][0]


def test_a_team_keeps_a_name_with_a_reason_and_it_is_audited(world, client_for, register):
    event = register("mp_app_launch")
    assert event.lint_state == "warnings"
    client = client_for(world.member)
    response = client.post(
        reverse("telemetry:event_exception", args=[event.pk]),
        {"reason": "Legacy SDK sends it; cannot change."},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.no_lint, event.lint_state) == (True, "exception")
    entry = AuditEntry.objects.get(action="telemetry.event.exception_set")
    assert entry.reason == "Legacy SDK sends it; cannot change."
    assert "Legacy SDK sends it" in client.get(event.get_absolute_url()).content.decode()
    client.post(reverse("telemetry:event_exception", args=[event.pk]), {"clear": "1"})
    event.refresh_from_db()
    assert (event.no_lint, event.lint_state) == (False, "warnings")


def test_an_exception_needs_a_real_reason(world, client_for, register):
    event = register("mp_app_launch")
    client_for(world.member).post(
        reverse("telemetry:event_exception", args=[event.pk]), {"reason": "   "}
    )
    event.refresh_from_db()
    assert not event.no_lint


def test_outsiders_cannot_set_exceptions(world, client_for, register):
    event = register("mp_app_launch")
    response = client_for(world.outsider).post(
        reverse("telemetry:event_exception", args=[event.pk]), {"reason": "I would like to keep it"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert not event.no_lint


def test_another_team_marks_that_it_uses_an_event(world, client_for, event):
    client = client_for(world.outsider)
    response = client.post(
        reverse("telemetry:event_usage", args=[event.pk]), {"team": "search", "using": "1"}
    )
    assert response.status_code == 302
    assert list(event.used_by.all()) == [world.other_team]
    # ...but only for a team they belong to.
    assert (
        client.post(
            reverse("telemetry:event_usage", args=[event.pk]), {"team": "checkout", "using": "1"}
        ).status_code
        == 403
    )


def test_the_live_check_shows_violations_suggestion_and_near_duplicates(
    world, client_for, register
):
    register("Sign Up Completed", team=world.other_team, by=world.outsider)
    response = client_for(world.member).get(
        reverse("telemetry:event_new"),
        {"check": "1", "name": "signupCompleted", "team": world.team.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="lint-result"' in html and "<html" not in html
    assert "Signup Completed" in html  # the suggestion
    assert "Sign Up Completed" in html and "Search" in html  # the near-duplicate and its owner


def test_the_live_check_explains_an_empty_name(world, client_for):
    response = client_for(world.member).get(
        reverse("telemetry:event_new"),
        {"check": "1", "name": "\u202e", "team": world.team.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "control character" in response.content.decode()


def test_editing_does_not_list_the_event_as_its_own_duplicate(world, client_for, event):
    response = client_for(world.member).get(
        reverse("telemetry:event_edit", args=[event.pk]),
        {"check": "1", "name": "Order Completed"},
        HTTP_HX_REQUEST="true",
    )
    assert "No similar event" in response.content.decode()


def test_catalogue_filters(world, client_for, register):
    register("Order Completed", platforms=["web"], tags=["revenue"])
    register("productViewed", platforms=["ios"], status="planned")
    register("Results Viewed", team=world.other_team, by=world.outsider)
    client = client_for(world.outsider)

    def names(**params):
        page = client.get(reverse("telemetry:index"), params).context["page"]
        return sorted(e.name for e in page)

    assert names(team="checkout") == ["Order Completed", "productViewed"]
    assert names(platform="ios") == ["productViewed"]
    assert names(lint="warnings") == ["productViewed"]
    assert names(status="planned") == ["productViewed"]
    assert names(tag="revenue") == ["Order Completed"]
    assert names(q="order") == ["Order Completed"]
    assert names(q="viewed") == ["Results Viewed", "productViewed"] or names(q="viewed") == [
        "Results Viewed"
    ]
    assert names(status="nonsense") == ["Order Completed", "Results Viewed", "productViewed"]


def test_htmx_filtering_returns_only_the_results(world, client_for, event):
    response = client_for(world.member).get(
        reverse("telemetry:index"), {"q": "order"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert 'id="results"' in html and "<nav" not in html.split('id="results"')[0]
    assert "Order Completed" in html


def test_catalogue_query_count_is_constant(
    world, client_for, register, django_assert_max_num_queries
):
    for i in range(30):
        register(f"Thing {i} Viewed", platforms=["web", "ios"], tags=["a", "b"])
    client = client_for(world.member)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("telemetry:index"), {"platform": "web"})
    assert len(response.context["page"]) == 25


def test_event_detail_query_count_is_constant(
    world, client_for, register, django_assert_max_num_queries
):
    event = register("Order Completed", platforms=["web"], tags=["a"])
    from telemetry import properties

    properties.event_set_properties(
        event=event, by=world.member, rows=[{"name": f"p_{i}", "type": "string"} for i in range(10)]
    )
    client = client_for(world.member)
    with django_assert_max_num_queries(14):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_a_missing_event_is_404(world, client_for):
    assert (
        client_for(world.member).get(reverse("telemetry:event_detail", args=[999999])).status_code
        == 404
    )


def test_every_page_needs_sign_in(world, client, register):
    event = register("Order Completed")
    urls = [
        reverse("telemetry:event_detail", args=[event.pk]),
        reverse("telemetry:event_edit", args=[event.pk]),
        reverse("telemetry:team_health", args=["checkout"]),
        reverse("telemetry:vocabulary", args=["checkout"]),
        reverse("telemetry:export", args=["csv"]),
        reverse("telemetry:import_mapping", args=["abc"]),
        reverse("telemetry:import_preview", args=["abc"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url
    for url in [
        reverse("telemetry:event_exception", args=[event.pk]),
        reverse("telemetry:event_usage", args=[event.pk]),
    ]:
        assert "/sign-in/" in client.post(url, {"reason": "because I say so"})["Location"]
    event.refresh_from_db()
    assert not event.no_lint


def test_property_list_is_readable_by_everyone_in_fixed_queries(
    world, client_for, django_assert_max_num_queries
):
    from telemetry.models import Property

    for i in range(20):
        Property.objects.create(name=f"prop_{i}", team=world.team, pii=i % 2 == 0)
    client = client_for(world.outsider)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("telemetry:property_list"), {"q": "prop"})
    assert response.status_code == 200
    assert "prop_19" in response.content.decode()


def test_the_event_page_shows_where_it_lives_in_code_and_offers_typed_helpers(
    world, client_for, api_for, django_assert_max_num_queries
):
    api_for(world.member).post(
        "/api/v1/telemetry/cli/sync/",
        {
            "team": "checkout",
            "events": [{"name": "Order Completed", "locations": ["web/pay.ts:12", "app.py:7"]}],
        },
        format="json",
    )
    event = Event.objects.get(name="Order Completed")
    client = client_for(world.outsider)  # the registry is open to every employee
    with django_assert_max_num_queries(15):
        page = client.get(event.get_absolute_url()).content.decode()
    assert "<code>app.py:7</code>" in page and "<code>web/pay.ts:12</code>" in page
    helpers = client.get(reverse("telemetry:helpers", args=["ts"]), {"team": "checkout"})
    assert helpers.status_code == 200
    assert 'filename="checkout-events.ts"' in helpers["Content-Disposition"]
    assert "Order Completed" in helpers.content.decode()
    assert reverse("telemetry:helpers", args=["ts"]) + "?team=checkout" in page
    python = client.get(reverse("telemetry:helpers", args=["python"]), {"team": "checkout"})
    assert "def " in python.content.decode()
    assert client.get(reverse("telemetry:helpers", args=["java"])).status_code == 404
    assert (
        client.get(reverse("telemetry:helpers", args=["ts"]), {"team": "nope"}).status_code == 404
    )
