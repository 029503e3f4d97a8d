"""Convention changes that warn before they hurt: impact first, contradictions refused, a readable
history, and every team told what a new version means for it."""

import string

import pytest
from django.urls import reverse

from productops.accounts.models import Notification
from telemetry import conventions, naming
from telemetry.models import ConventionVersion

pytestmark = pytest.mark.django_db


def _form_data(client, **changes):
    form = client.get(reverse("telemetry:convention"), {"preset": changes.get("preset", "")})
    form = form.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


@pytest.fixture
def registry(world, register):
    for name in ["Order Completed", "Product Viewed", "Cart Viewed"]:
        register(name)
    register("Results Viewed", team=world.other_team, by=world.outsider)
    register("search_failed", team=world.other_team, by=world.outsider)


def test_publishing_shows_the_impact_per_team_first_and_publishes_nothing(
    world, client_for, registry
):
    client = client_for(world.admin)
    data = _form_data(client, preset="snake")
    response = client.post(reverse("telemetry:convention"), {**data, "action": "preview"})
    assert response.status_code == 200
    assert not ConventionVersion.objects.exists()
    impact = response.context["impact"]
    rows = {t.team.name: t for t in impact.teams if t.total}
    assert (rows["Checkout"].before_percent, rows["Checkout"].after_percent) == (100, 0)
    assert rows["Checkout"].newly_failing == 3
    assert [name for name, _, _ in rows["Checkout"].examples] == [
        "Cart Viewed",
        "Order Completed",
        "Product Viewed",
    ]
    assert rows["Checkout"].examples[1][2] == "order_completed"
    assert (rows["Search"].newly_failing, rows["Search"].newly_passing) == (1, 1)
    assert (impact.before_percent, impact.after_percent) == (80, 20)
    body = response.content.decode()
    assert "80% → 20%" in body and "Publish v1" in body


def test_publish_without_seeing_the_impact_of_those_rules_only_previews(
    world, client_for, registry
):
    client = client_for(world.admin)
    data = _form_data(client, preset="snake")
    # No preview at all.
    response = client.post(reverse("telemetry:convention"), {**data, "action": "publish"})
    assert response.status_code == 200 and response.context["impact"] is not None
    # A preview of other rules.
    fingerprint = response.context["fingerprint"]
    changed = {**data, "rule_max_length": 30, "action": "publish", "fingerprint": fingerprint}
    response = client.post(reverse("telemetry:convention"), changed)
    assert response.status_code == 200 and "rules changed since" in response.content.decode()
    assert not ConventionVersion.objects.exists()
    # The rules whose impact was shown.
    response = client.post(
        reverse("telemetry:convention"), {**data, "action": "publish", "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    assert ConventionVersion.objects.get().preset == "snake"


def test_contradictory_rules_are_refused(world, client_for, api_for):
    client = client_for(world.admin)
    data = _form_data(client, preset="segment", rule_forbidden_chars=string.ascii_letters)
    response = client.post(reverse("telemetry:convention"), {**data, "action": "preview"})
    assert response.status_code == 400
    assert "contradict" in response.context["form"].non_field_errors()[0]
    rules = {**naming.PRESETS["segment"].to_dict(), "forbidden_chars": string.ascii_letters}
    api = api_for(world.admin).post(
        "/api/v1/telemetry/conventions/publish/",
        {"preset": "custom", "rules": rules},
        format="json",
    )
    assert api.status_code == 400 and "contradict" in str(api.json()["rules"])
    preview = api_for(world.admin).post(
        "/api/v1/telemetry/conventions/preview/",
        {"preset": "custom", "rules": rules},
        format="json",
    )
    assert preview.status_code == 400
    assert not ConventionVersion.objects.exists()


def test_versions_have_a_summary_and_a_diff(world, client_for, api_for):
    conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["segment"].to_dict(), preset="segment"
    )
    rules = {
        **naming.PRESETS["snake"].to_dict(),
        "max_length": 40,
        "reserved_prefixes": [*naming.PRESETS["snake"].to_dict()["reserved_prefixes"], "tmp_"],
    }
    conventions.convention_publish(by=world.admin, rules=rules, preset="custom")
    page = client_for(world.member).get(reverse("telemetry:convention"))
    newest = page.context["history"][0]
    assert "Event case: title → snake" in newest["changes"]
    assert "Longest name: 64 → 40" in newest["changes"]
    assert "Reserved prefixes: added “tmp_”" in newest["changes"]
    assert newest["summary"].startswith("events in snake case")
    assert page.context["history"][1]["changes"][0].startswith("First published version")
    body = page.content.decode()
    assert "Event case: title → snake" in body
    listed = api_for(world.member).get("/api/v1/telemetry/conventions/").json()
    first = listed["results"][0] if isinstance(listed, dict) else listed[0]
    assert "Longest name: 64 → 40" in first["changes"]


def test_the_conventions_endpoint_reads_versions_in_a_fixed_number_of_queries(
    world, api_for, django_assert_max_num_queries
):
    for preset in ["snake", "camel", "segment", "dotted", "snake"]:
        conventions.convention_publish(
            by=world.admin, rules=naming.PRESETS[preset].to_dict(), preset=preset
        )
    client = api_for(world.member)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/telemetry/conventions/").status_code == 200


def test_publishing_tells_each_team_its_own_impact(world, registry):
    version = conventions.convention_publish(
        by=world.admin,
        rules=naming.PRESETS["snake"].to_dict(),
        preset="snake",
        note="Match the warehouse",
    )
    mine = Notification.objects.get(recipient=world.member)
    assert mine.title == f"Naming convention v{version.number}: what it means for Checkout"
    assert "3 of your 3 live events no longer follow it" in mine.body
    assert "100% → 0%" in mine.body and "Match the warehouse" in mine.body
    assert mine.url == reverse("telemetry:team_health", args=["checkout"])
    theirs = Notification.objects.get(recipient=world.outsider)
    assert "1 of your 2 live events no longer follow it" in theirs.body
    assert not Notification.objects.filter(recipient=world.researcher).exists()


def test_the_api_previews_the_impact(world, api_for, registry):
    response = api_for(world.admin).post(
        "/api/v1/telemetry/conventions/preview/", {"preset": "snake"}, format="json"
    )
    assert response.status_code == 200
    checkout = next(t for t in response.json()["teams"] if t["team"] == "checkout")
    assert checkout["newly_failing"] == 3
    assert checkout["examples"][0]["suggestion"] == "cart_viewed"
    assert not ConventionVersion.objects.exists()
    assert (
        api_for(world.member)
        .post("/api/v1/telemetry/conventions/preview/", {"preset": "snake"}, format="json")
        .status_code
        == 403
    )


def test_a_team_applies_the_suggested_names_in_bulk_keeping_old_names_as_aliases(
    world, client_for, register
):
    from productops.accounts.models import AuditEntry
    from telemetry.models import Alias, Event

    names = ["order_completed", "cart_viewed", "product_viewed", "Coupon Applied"]
    for name in names:
        register(name)
    register("Order Completed", team=world.other_team, by=world.outsider)
    theirs = register("search_failed", team=world.other_team, by=world.outsider)

    client = client_for(world.member)
    page = client.get(reverse("telemetry:team_health", args=["checkout"]))
    groups = page.context["warning_groups"]
    # Three identical warnings read as one line with a count.
    assert [(g["rule"], len(g["events"])) for g in groups] == [("case", 3)]
    assert page.content.decode().count('data-testid="warning-group"') == 1

    response = client.post(reverse("telemetry:apply_suggestions", args=["checkout"]), {"all": "1"})
    assert response.status_code == 302
    mine = set(Event.objects.filter(team=world.team).values_list("name", flat=True))
    # “Order Completed” belongs to Search already: that one is left for a merge instead.
    assert mine == {"Cart Viewed", "Product Viewed", "Coupon Applied", "order_completed"}
    assert set(Alias.objects.values_list("old_name", flat=True)) == {
        "cart_viewed",
        "product_viewed",
    }
    assert Event.objects.get(pk=theirs.pk).name == "search_failed"  # other teams untouched
    audit = AuditEntry.objects.get(action="telemetry.team.suggestions_applied")
    assert sorted(audit.data["renamed"]) == [
        ["cart_viewed", "Cart Viewed"],
        ["product_viewed", "Product Viewed"],
    ]
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("Renamed 2 events" in m for m in messages)
    assert any("“order_completed” kept its name" in m for m in messages)


def test_only_ticked_events_are_renamed_and_only_by_members(world, client_for, register):
    from telemetry.models import Event

    first = register("cart_viewed")
    register("product_viewed")
    url = reverse("telemetry:apply_suggestions", args=["checkout"])
    assert client_for(world.outsider).post(url, {"all": "1"}).status_code == 403
    client_for(world.member).post(url, {"event": [first.pk]})
    assert set(Event.objects.values_list("name", flat=True)) == {"Cart Viewed", "product_viewed"}


def test_a_team_tightens_the_convention_for_its_own_events(world, client_for, register):
    from telemetry import linting, properties
    from telemetry.models import Event, TeamVocabulary

    plain = register("Order Completed")
    other = register("Results Viewed", team=world.other_team, by=world.outsider)
    client = client_for(world.member)
    response = client.post(
        reverse("telemetry:vocabulary", args=["checkout"]),
        {"actions": "", "objects": "", "prefix": "Checkout ", "required_properties": "order_id"},
    )
    assert response.status_code == 302
    assert TeamVocabulary.objects.get(team=world.team).prefix == "Checkout "
    linting.events_relint()

    plain.refresh_from_db()
    assert plain.lint_state == "warnings"
    assert {v["rule"] for v in plain.lint_violations} == {
        "team-prefix",
        "team-required-property",
    }
    assert plain.lint_suggestion == "Checkout Order Completed"
    assert Event.objects.get(pk=other.pk).lint_state == "ok"  # other teams are not affected

    # Registered with the prefix and the property, an event passes again.
    event = register("Checkout Payment Failed")
    assert event.lint_state == "warnings"
    properties.event_set_properties(
        event=event, by=world.member, rows=[{"name": "order_id", "type": "string"}]
    )
    event.refresh_from_db()
    assert event.lint_state == "ok", event.lint_violations


def test_a_team_cannot_make_its_convention_impossible(world, client_for):
    from telemetry.models import TeamVocabulary

    response = client_for(world.member).post(
        reverse("telemetry:vocabulary", args=["checkout"]),
        {"actions": "", "objects": "", "prefix": "checkout_", "required_properties": ""},
    )
    # Title Case names can never start with “checkout_”: that would forbid every name.
    assert response.status_code == 400
    assert "no name can follow" in response.context["form"].errors["prefix"][0]
    assert not TeamVocabulary.objects.exists()
