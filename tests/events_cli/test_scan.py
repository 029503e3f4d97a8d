"""Each SDK's call shape in each language: the event name and inline property keys are found,
names built at run time are reported as dynamic, comments and wrapper definitions are not calls."""

import pytest

from telemetry.events_cli.scan import Wrapper, scan_text

CASES = [
    # (language, source, event name, property keys)
    (
        "js",
        'analytics.track("Order Completed", { plan: "pro", "cart_id": 1, ...rest, total });',
        "Order Completed",
        ["plan", "cart_id", "total"],
    ),
    ("js", "rudderanalytics.track('Signup Clicked');", "Signup Clicked", []),
    (
        "js",
        "amplitude.track('Button Clicked', {buttonColor: 'primary'});",
        "Button Clicked",
        ["buttonColor"],
    ),
    (
        "js",
        'amplitude.getInstance().logEvent("Song Played", {"song_id": 1});',
        "Song Played",
        ["song_id"],
    ),
    ("js", "mixpanel.track(`Video Played`, {length: 1});", "Video Played", ["length"]),
    ("js", "posthog.capture('movie played', { movie_id: 1 });", "movie played", ["movie_id"]),
    (
        "js",
        "posthogClient.capture({ distinctId: 'u', event: 'user signed up', properties: { plan_type: 'x' } });",
        "user signed up",
        ["plan_type"],
    ),
    (
        "js",
        "gtag('event', 'purchase', { transaction_id: 'T1', value: 2 });",
        "purchase",
        ["transaction_id", "value"],
    ),
    (
        "js",
        "snowplow('trackSelfDescribingEvent', { event: { schema: 'iglu:com.acme/button_click/jsonschema/1-0-0', data: { button_id: 1 } } });",
        "button_click",
        ["button_id"],
    ),
    (
        "js",
        "trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/link_click/jsonschema/1-0-0', data: { targetUrl: 'x' } } });",
        "link_click",
        ["targetUrl"],
    ),
    (
        "python",
        'analytics.track("user-1", "Signed Up", {"plan": "pro", "seatCount": 3})',
        "Signed Up",
        ["plan", "seatCount"],
    ),
    (
        "python",
        'analytics.track(user_id="u", event="Order Completed", properties=dict(order_id=1))',
        "Order Completed",
        ["order_id"],
    ),
    ("python", 'mp.track(distinct_id, "Sent Message")', "Sent Message", []),
    (
        "python",
        'posthog.capture("u1", "movie played", properties={"movie_id": 1})',
        "movie played",
        ["movie_id"],
    ),
    (
        "python",
        'amplitude.track(BaseEvent(event_type="Song Played", user_id="u", event_properties={"song_id": 1}))',
        "Song Played",
        ["song_id"],
    ),
    (
        "python",
        'tracker.track(SelfDescribing(SelfDescribingJson("iglu:com.acme/save_button/jsonschema/1-0-0", {"a": 1})))',
        "save_button",
        [],
    ),
    (
        "swift",
        'Analytics.shared().track("Item Purchased", properties: ["item_id": 1, "revenue": 2])',
        "Item Purchased",
        ["item_id", "revenue"],
    ),
    (
        "swift",
        'analytics.track(name: "Screen Opened", properties: ["screenName": x])',
        "Screen Opened",
        ["screenName"],
    ),
    (
        "swift",
        'amplitude.track(eventType: "Button Clicked", eventProperties: ["button_color": "primary"])',
        "Button Clicked",
        ["button_color"],
    ),
    (
        "swift",
        'Mixpanel.mainInstance().track(event: "Signed Up", properties: ["source": "x"])',
        "Signed Up",
        ["source"],
    ),
    (
        "swift",
        'PostHogSDK.shared.capture("user_signed_up", properties: ["is_free_trial": true])',
        "user_signed_up",
        ["is_free_trial"],
    ),
    (
        "kotlin",
        'analytics.track("Product Viewed", Properties().putValue("product_id", 1).putValue("priceCents", 2))',
        "Product Viewed",
        ["product_id", "priceCents"],
    ),
    (
        "kotlin",
        'amplitude.track("Button Clicked", mapOf("button_color" to "primary"))',
        "Button Clicked",
        ["button_color"],
    ),
    (
        "kotlin",
        'PostHog.capture(event = "user signed up", properties = mapOf("plan" to "pro"))',
        "user signed up",
        ["plan"],
    ),
    ("kotlin", 'Amplitude.getInstance().logEvent("Song Played");', "Song Played", []),
    ("kotlin", 'mixpanel.track("Plan Selected", props);', "Plan Selected", []),
    (
        "ruby",
        "Analytics.track(user_id: 1, event: 'Item Purchased', properties: { revenue: 39.95, 'shipping' => 'x' })",
        "Item Purchased",
        ["revenue", "shipping"],
    ),
    (
        "ruby",
        "tracker.track(user_id, 'Sent Message', { 'message_type' => 'x', :read_count => 1 })",
        "Sent Message",
        ["message_type", "read_count"],
    ),
    (
        "ruby",
        "posthog.capture({ distinct_id: 'u', event: 'movie played', properties: { movie_id: 1 } })",
        "movie played",
        ["movie_id"],
    ),
]


@pytest.mark.parametrize(
    ("lang", "source", "name", "keys"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_it_finds_the_event_name_and_property_keys(lang, source, name, keys):
    calls = scan_text("\n" + source + "\n", "f", lang)
    assert len(calls) == 1, calls
    call = calls[0]
    assert (call.name, call.dynamic, call.line) == (name, False, 2)
    assert [k for k, _ in call.properties] == keys
    text = "\n" + source + "\n"
    assert text[call.span[0] : call.span[1]] == name


@pytest.mark.parametrize(
    ("lang", "source"),
    [
        ("js", "analytics.track(`Viewed ${page}`);"),
        ("js", "analytics.track(eventName, props);"),
        ("js", 'analytics.track("Viewed " + page);'),
        ("python", 'mixpanel.track(distinct_id, f"Viewed {page}", {"a": 1})'),
        ("swift", 'analytics.track("Viewed \\(screen)")'),
        ("kotlin", 'analytics.track("Viewed ${screen}")'),
        ("ruby", 'Analytics.track(user_id: 1, event: "Viewed #{page}")'),
    ],
)
def test_names_built_at_run_time_are_dynamic_not_guessed(lang, source):
    [call] = scan_text(source, "f", lang)
    assert call.dynamic and call.name is None and call.span is None


def test_commented_out_calls_are_not_calls():
    assert scan_text('// analytics.track("Order Completed");\n', "f", "js") == []
    assert scan_text('# analytics.track("u", "Order Completed")\n', "f", "python") == []


def test_wrappers_are_found_at_their_event_argument_but_not_where_they_are_defined():
    source = (
        "def track_event(name, props=None):\n    pass\n"
        'track_event("Plan Chosen", {"plan_id": 1})\n'
        'tracking.send_event(user, "Coupon Applied")\n'
    )
    calls = scan_text(source, "f", "python", [Wrapper("track_event", 0), Wrapper("send_event", 1)])
    assert [(c.name, c.line, [k for k, _ in c.properties]) for c in calls] == [
        ("Plan Chosen", 3, ["plan_id"]),
        ("Coupon Applied", 4, []),
    ]


def test_an_ignore_comment_exempts_the_call_with_its_reason():
    source = (
        'analytics.track("legacyThing"); // productops-events: ignore sent by the v1 app\n'
        "// productops-events: ignore the finance dashboards read it\n"
        'analytics.track("otherLegacy");\n'
        'analytics.track("third"); // productops-events: ignore\n'
        'analytics.track("fourth");\n'
    )
    calls = scan_text(source, "f", "js")
    assert [(c.ignored, c.ignore_without_reason) for c in calls] == [
        ("sent by the v1 app", False),
        ("the finance dashboards read it", False),
        (None, True),
        (None, False),
    ]


def test_an_unclosed_call_does_not_make_every_call_read_the_whole_file():
    import time

    # A minified bundle where every call's parenthesis is left open: without a bound, each call
    # would read to the end of the file.
    bundle = "".join(f'analytics.track("Step {i} Viewed", f(x, ' + "y" * 100 for i in range(1000))
    started = time.perf_counter()
    calls = scan_text(bundle, "bundle.js", "js")
    assert time.perf_counter() - started < 3
    assert len(calls) == 1000 and calls[-1].name == "Step 999 Viewed"
