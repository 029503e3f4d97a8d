"""The drift rules on plain data (telemetry.drift has no Django import)."""

import datetime

from telemetry import drift
from telemetry.drift import Observed, Registered, RegisteredProperty, SourceInfo

TODAY = datetime.date(2026, 6, 1)
LONG_AGO = datetime.date(2026, 1, 1)
SOURCES = {
    1: SourceInfo(10, "web", "checkout-web"),
    2: SourceInfo(10, "ios", "checkout-ios"),
    3: SourceInfo(None, "android", "mystery-android"),
}


def _seen(name, last=TODAY, sources=(1,), count=100, types=None):
    return Observed(
        name=name,
        last_day=dict.fromkeys(sources, last),
        total=dict.fromkeys(sources, count),
        recent=dict.fromkeys(sources, count if (TODAY - last).days < 30 else 0),
        property_types=types or {},
    )


def _event(name, **kw):
    defaults = {"id": 1, "team_id": 10, "status": "active", "created": LONG_AGO}
    defaults.update(kw)
    return Registered(name=name, **defaults)


def _kinds(findings):
    return sorted((f.kind, f.name, f.detail) for f in findings)


def test_a_name_sent_but_not_registered_is_unregistered_for_the_sending_team():
    findings = drift.drift_find(
        registered=[], observed={"Promo Shown": _seen("Promo Shown")}, sources=SOURCES, today=TODAY
    )
    assert _kinds(findings) == [("unregistered", "Promo Shown", "")]
    assert findings[0].team_id == 10
    assert findings[0].data["sources"] == ["checkout-web"]


def test_a_name_from_an_unassigned_source_belongs_to_nobody_yet():
    findings = drift.drift_find(
        registered=[], observed={"x": _seen("x", sources=(3,))}, sources=SOURCES, today=TODAY
    )
    assert findings[0].team_id is None


def test_a_name_sent_under_an_alias_is_not_unregistered():
    event = _event("Order Completed", aliases=frozenset({"order_done"}))
    findings = drift.drift_find(
        registered=[event],
        observed={"order_done": _seen("order_done")},
        sources=SOURCES,
        today=TODAY,
    )
    assert findings == []


def test_a_live_event_not_seen_for_30_days_is_stale():
    findings = drift.drift_find(
        registered=[_event("Order Completed")],
        observed={
            "Order Completed": _seen("Order Completed", last=TODAY - datetime.timedelta(days=31))
        },
        sources=SOURCES,
        today=TODAY,
    )
    assert _kinds(findings) == [("stale", "Order Completed", "")]
    assert findings[0].data["last_seen"] == "2026-05-01"


def test_seen_29_days_ago_is_not_stale_and_deprecated_events_are_left_alone():
    findings = drift.drift_find(
        registered=[_event("a"), _event("b", id=2, status="deprecated")],
        observed={"a": _seen("a", last=TODAY - datetime.timedelta(days=29))},
        sources=SOURCES,
        today=TODAY,
    )
    assert findings == []


def test_planned_and_never_seen_only_for_teams_whose_traffic_is_visible():
    findings = drift.drift_find(
        registered=[
            _event("Planned Thing", status="planned"),
            _event("Other Team Thing", id=2, team_id=99, status="planned"),
            _event("Never Sent", id=3),
        ],
        observed={},
        sources=SOURCES,
        today=TODAY,
    )
    assert _kinds(findings) == [
        ("never_seen", "Planned Thing", ""),
        ("stale", "Never Sent", ""),
    ]


def test_a_property_sent_with_another_type_is_a_mismatch_but_integers_are_numbers():
    event = _event(
        "Order Completed",
        properties={
            "total": RegisteredProperty("number", False),
            "order_id": RegisteredProperty("string", False),
            "items": RegisteredProperty("integer", False),
        },
    )
    types = {
        ("total", "integer"): 50,
        ("total", "number"): 50,
        ("order_id", "integer"): 30,
        ("order_id", "string"): 70,
        ("items", "integer"): 99,
        ("items", "null"): 1,
    }
    findings = drift.drift_find(
        registered=[event],
        observed={"Order Completed": _seen("Order Completed", types=types)},
        sources=SOURCES,
        today=TODAY,
    )
    assert _kinds(findings) == [("type_mismatch", "Order Completed", "order_id")]
    assert findings[0].data == {
        "registered": "string",
        "observed": {"integer": 30},
        "suggested": "integer",
    }


def test_a_required_property_missing_from_some_events_is_reported_with_how_many():
    event = _event(
        "Order Completed",
        properties={
            "order_id": RegisteredProperty("string", True),
            "coupon": RegisteredProperty("string", False),
        },
    )
    findings = drift.drift_find(
        registered=[event],
        observed={
            "Order Completed": _seen(
                "Order Completed", count=100, types={("order_id", "string"): 90}
            )
        },
        sources=SOURCES,
        today=TODAY,
    )
    assert _kinds(findings) == [("missing_required", "Order Completed", "order_id")]
    assert findings[0].data == {"missing": 10, "of": 100}


def test_an_event_declared_for_ios_and_web_but_seen_only_on_web_has_a_platform_gap():
    event = _event("Order Completed", platforms=frozenset({"web", "ios", "desktop"}))
    findings = drift.drift_find(
        registered=[event],
        observed={"Order Completed": _seen("Order Completed", sources=(1,))},
        sources=SOURCES,
        today=TODAY,
    )
    # Nothing sends from desktop at all, so its absence says nothing.
    assert _kinds(findings) == [("platform_gap", "Order Completed", "ios")]
    assert findings[0].data == {"seen_on": ["web"]}


def test_traffic_under_the_name_and_an_alias_adds_up():
    event = _event(
        "Order Completed",
        aliases=frozenset({"order_done"}),
        properties={"order_id": RegisteredProperty("string", True)},
    )
    findings = drift.drift_find(
        registered=[event],
        observed={
            "Order Completed": _seen(
                "Order Completed", count=60, types={("order_id", "string"): 60}
            ),
            "order_done": _seen(
                "order_done", sources=(2,), count=40, types={("order_id", "string"): 40}
            ),
        },
        sources=SOURCES,
        today=TODAY,
    )
    assert findings == []


def test_another_teams_ios_app_says_nothing_about_this_teams_events():
    sources = {1: SourceInfo(10, "web", "checkout-web"), 2: SourceInfo(20, "ios", "search-ios")}
    event = _event("Order Completed", platforms=frozenset({"web", "ios"}))
    findings = drift.drift_find(
        registered=[event],
        observed={"Order Completed": _seen("Order Completed", sources=(1,))},
        sources=sources,
        today=TODAY,
    )
    assert findings == []
