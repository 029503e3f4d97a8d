"""The endpoints `productops-events` uses, and the command line itself against a live portal."""

import json

import pytest

from telemetry import conventions
from telemetry.events_cli.main import main
from telemetry.locations import EventLocation
from telemetry.models import Event

CLI = "/api/v1/telemetry/cli/"


@pytest.mark.django_db
def test_anonymous_callers_are_refused(api_client):
    for url in ("convention/", "codegen/?lang=ts", "locations/?event=x"):
        assert api_client.get(CLI + url).status_code in {401, 403}
    for url in ("sync/", "collisions/"):
        assert api_client.post(CLI + url, {}, format="json").status_code in {401, 403}


@pytest.mark.django_db
def test_the_convention_carries_team_words_and_exceptions(world, api_for, register):
    conventions.team_vocabulary_save(
        team=world.team, by=world.member, actions={"yeet": "yeeted"}, objects=["gizmo"]
    )
    register("legacy-thing", no_lint_reason="the finance dashboards read it")
    body = api_for(world.outsider).get(CLI + "convention/?team=checkout").json()
    assert body["team_words"] == {"actions": {"yeet": "yeeted"}, "objects": ["gizmo"]}
    assert body["no_lint"] == [{"name": "legacy-thing", "reason": "the finance dashboards read it"}]
    assert body["rules"]["event_case"] == "title"
    unknown = api_for(world.outsider).get(CLI + "convention/?team=nope")
    assert unknown.status_code == 400 and "team" in unknown.json()


def _sync(client, events, **extra):
    return client.post(
        CLI + "sync/", {"team": "checkout", "events": events, **extra}, format="json"
    )


@pytest.mark.django_db
def test_sync_registers_planned_events_with_provenance_and_is_idempotent(world, api_for, register):
    register("Cart Viewed", description="Seen the cart.")
    client = api_for(world.member)
    events = [
        {
            "name": "Order Completed",
            "locations": ["web/checkout.ts:12", "web/pay.ts:3"],
            "properties": [{"name": "order_id"}],
        },
        {"name": "Coupon Applied", "locations": ["app.py:7"]},
    ]
    first = _sync(client, events).json()
    assert first["created"] == ["Coupon Applied", "Order Completed"]
    assert first["missing_from_code"] == ["Cart Viewed"]
    order = Event.objects.get(name="Order Completed")
    assert order.status == Event.Status.PLANNED and order.team == world.team
    assert [str(loc) for loc in order.locations.all()] == ["web/checkout.ts:12", "web/pay.ts:3"]
    assert [ep.property.name for ep in order.event_properties.all()] == ["order_id"]

    again = _sync(client, events).json()
    assert again["created"] == [] and again["updated"] == []
    assert again["unchanged"] == ["Coupon Applied", "Order Completed"]
    assert Event.objects.count() == 3 and EventLocation.objects.count() == 3

    moved = [{"name": "Order Completed", "locations": ["web/checkout.ts:40"]}]
    third = _sync(client, moved).json()
    assert third["updated"] == ["Order Completed"]
    assert third["missing_from_code"] == ["Cart Viewed", "Coupon Applied"]
    assert Event.objects.filter(name="Coupon Applied").exists()  # never deleted
    assert [str(loc) for loc in EventLocation.objects.all()] == ["web/checkout.ts:40"]

    shown = client.get(CLI + "locations/", {"event": "Order Completed"}).json()["locations"]
    assert [(loc["team"], loc["kind"], loc["path"], loc["line"]) for loc in shown] == [
        ("checkout", "code", "web/checkout.ts", 40)
    ]


@pytest.mark.django_db
def test_a_dry_run_changes_nothing(world, api_for):
    report = _sync(api_for(world.member), [{"name": "Order Completed"}], dry_run=True).json()
    assert report["created"] == ["Order Completed"]
    assert not Event.objects.exists() and not EventLocation.objects.exists()


@pytest.mark.django_db
def test_sync_refuses_outsiders_and_bad_input_changes_nothing(world, api_for):
    assert _sync(api_for(world.outsider), [{"name": "Order Completed"}]).status_code == 403
    bad = _sync(api_for(world.member), [{"name": "Order Completed"}, {"name": " "}])
    assert bad.status_code == 400
    assert "events" in bad.json()
    long = _sync(api_for(world.member), [{"name": "x" * 5000}])
    assert long.status_code == 400
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_collisions_name_other_teams_events(world, api_for, register):
    register("Order Completed", team=world.other_team, by=world.outsider)
    register("Cart Viewed")
    found = (
        api_for(world.member)
        .post(
            CLI + "collisions/",
            {"names": ["Order Completed", "Cart Viewed"], "team": "checkout"},
            format="json",
        )
        .json()["collisions"]
    )
    assert [(c["name"], c["existing"], c["team"]) for c in found] == [
        ("Order Completed", "Order Completed", "search")
    ]


@pytest.mark.django_db
def test_codegen_downloads_a_teams_typed_helpers(world, api_for, register):
    register("Order Completed", description="Paid.")
    register("Search Performed", team=world.other_team, by=world.outsider)
    response = api_for(world.member).get(CLI + "codegen/?lang=python&team=checkout")
    assert response.status_code == 200
    assert 'filename="checkout-events.py"' in response["Content-Disposition"]
    body = response.content.decode()
    assert "def track_order_completed(" in body and '"""Paid."""' in body
    assert "search_performed" not in body
    assert api_for(world.member).get(CLI + "codegen/?lang=go").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_command_line_online_against_a_live_portal(
    world, live_server, register, tmp_path, monkeypatch, capsys
):
    from productops.accounts.services import token_create

    register("Order Completed", team=world.other_team, by=world.outsider)
    conventions.team_vocabulary_save(
        team=world.team, by=world.member, actions={"yeet": "yeeted"}, objects=["gizmo"]
    )
    _, raw = token_create(user=world.member, name="ci")
    monkeypatch.setenv("PRODUCTOPS_URL", live_server.url)
    monkeypatch.setenv("PRODUCTOPS_TOKEN", raw)
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.js").write_text(
        'analytics.track("Gizmo Yeeted");\nanalytics.track("Orders Completed");\n'
    )
    monkeypatch.chdir(tmp_path)

    assert main(["lint", ".", "--team", "checkout", "--format", "json"]) == 0
    calls = json.loads(capsys.readouterr().out)["calls"]
    assert calls[0]["ok"] is True  # the team's own words, fetched online
    assert calls[1]["duplicates"][0]["name"] == "Order Completed"
    assert "near_duplicate" in {v["rule"] for v in calls[1]["violations"]}

    assert main(["sync", ".", "--team", "checkout"]) == 0
    assert "2 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["sync", ".", "--team", "checkout"]) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert str(Event.objects.get(name="Gizmo Yeeted").locations.get()) == "app.js:1"

    (tmp_path / "events.yml").write_text(
        "events:\n  - {name: Order Completed, team: checkout, description: Paid.}\n"
    )
    assert main(["check", "events.yml", "--team", "checkout"]) == 1
    assert (
        "collision: “Order Completed” collides with “Order Completed” of team search"
        in capsys.readouterr().out
    )

    assert main(["codegen", "--lang", "ts", "--team", "checkout"]) == 0
    assert "export function trackGizmoYeeted(" in capsys.readouterr().out

    (tmp_path / "events.yml").write_text(
        "events:\n"
        "  - name: Widget Added\n"
        "    team: checkout\n"
        "    description: A widget went on the page.\n"
        "    properties:\n"
        "      - {name: widget_id, type: integer, required: true}\n"
    )
    assert main(["sync", "events.yml", "--team", "checkout"]) == 0
    out = capsys.readouterr().out
    assert "registered (planned): Widget Added" in out
    widget = Event.objects.get(name="Widget Added")
    assert widget.description == "A widget went on the page."
    [prop] = widget.event_properties.select_related("property")
    assert (prop.property.name, prop.property.type, prop.required) == ("widget_id", "integer", True)
    assert [(loc.kind, str(loc)) for loc in widget.locations.all()] == [
        ("definitions", "events.yml:2")
    ]


@pytest.mark.django_db
def test_read_endpoints_use_a_fixed_number_of_queries(
    world, api_for, register, django_assert_max_num_queries
):
    client = api_for(world.member)
    for i in range(3):
        register(f"Order Step {i} Completed")
    _sync(
        client,
        [
            {"name": f"Order Step {i} Completed", "locations": ["a.ts:1", "b.ts:2"]}
            for i in range(3)
        ],
    )

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(CLI + url).status_code == 200
        return len(ctx)

    small = {
        u: count(u)
        for u in (
            "codegen/?lang=ts",
            "convention/?team=checkout",
            "locations/?event=Order Step 0 Completed",
        )
    }
    for i in range(3, 30):
        register(f"Order Step {i} Completed")
    _sync(
        client,
        [
            {"name": f"Order Step {i} Completed", "locations": ["a.ts:1", "b.ts:2", "c.ts:3"]}
            for i in range(30)
        ],
    )
    for url, queries in small.items():
        with django_assert_max_num_queries(queries):
            assert client.get(CLI + url).status_code == 200
    # Re-syncing a repository whose events are all known costs the same for 30 events as for 3.
    unchanged = [
        {"name": f"Order Step {i} Completed", "locations": ["a.ts:1", "b.ts:2", "c.ts:3"]}
        for i in range(30)
    ]
    with django_assert_max_num_queries(15):
        assert _sync(client, unchanged).json()["unchanged"] == sorted(e["name"] for e in unchanged)
