"""The naming linter: every rule, every preset, exact suggestions. Pure Python, no database."""

import json

import pytest

from telemetry.naming import (
    CASE_STYLES,
    DEFAULT_PRESET,
    PRESETS,
    Convention,
    lint_event,
    lint_property,
    normalise,
    parse,
    render,
)

SEGMENT = PRESETS["segment"]

SEGMENT_SPEC_NAMES = [
    "Order Completed",
    "Product Added to Wishlist",
    "Signed In",
    "Signed Out",
    "Signed Up",
    "Products Searched",
    "Checkout Started",
    "Coupon Applied",
    "Coupon Denied",
    "Coupon Removed",
    "Application Opened",
    "Application Installed",
    "Application Backgrounded",
    "Application Crashed",
    "Promotion Viewed",
    "Promotion Clicked",
    "Cart Viewed",
    "Cart Shared",
    "Payment Info Entered",
    "Product List Viewed",
    "Product List Filtered",
    "Product Clicked",
    "Product Viewed",
    "Product Added",
    "Product Removed",
    "Product Removed from Wishlist",
    "Product Reviewed",
    "Product Shared",
    "Wishlist Product Added to Cart",
    "Checkout Step Viewed",
    "Checkout Step Completed",
    "Order Updated",
    "Order Refunded",
    "Order Cancelled",
    "Push Notification Received",
    "Push Notification Tapped",
    "Deep Link Opened",
    "Install Attributed",
    "Account Created",
    "Invite Sent",
    "Trial Started",
    "Email Marked as Spam",
    "Email Link Clicked",
    "Unsubscribed",
    "Video Playback Started",
    "Video Playback Buffer Completed",
    "URL Opened",
    "QR Code Scanned",
    "SKU Viewed",
    "HTTPS Enabled",
    "Event Created",
]


@pytest.mark.parametrize("name", SEGMENT_SPEC_NAMES)
def test_segment_spec_names_pass_untouched(name):
    result = lint_event(name, SEGMENT)
    assert result.ok, result.violations
    assert result.violations == ()
    assert result.suggestion is None


@pytest.mark.parametrize(
    ("name", "suggestion", "rules"),
    [
        ("clickedSignupBtn", "Signup Button Clicked", {"abbreviation", "case", "word-order"}),
        ("view_product", "Product Viewed", {"case", "tense", "word-order"}),
        ("Order Complete", "Order Completed", {"tense"}),
        ("User Signed Up (11-01-2019)", "User Signed Up", {"dynamic-value"}),
        ("Updated Email", "Email Updated", {"word-order"}),
        ("order_completed", "Order Completed", {"case"}),
        ("Order completed", "Order Completed", {"case"}),
        ("product clicks", "Product Clicked", {"case", "tense"}),
        ("Video Clicking", "Video Clicked", {"tense"}),
        ("Plan Chose", "Plan Chosen", {"tense"}),
        ("Plan Upgradeed", "Plan Upgraded", {"unknown-action"}),
        ("Order Completed!!", "Order Completed", {"forbidden-chars"}),
        ("mp_Order Completed", "Order Completed", {"reserved-prefix"}),
        ("Cart 🛒 Viewed", "Cart Viewed", {"forbidden-chars"}),
        ("Order\x07 Completed", "Order Completed", {"forbidden-chars"}),
        ("Acct Deleted", "Account Deleted", {"abbreviation"}),
        ("Café Visited", "Cafe Visited", {"forbidden-chars"}),
        ("Page Visited https://example.com/x", "Page Visited", {"dynamic-value"}),
        ("Invite Sent to bob@example.com", "Invite Sent to", None),
        ("Order 12345 Refunded", "Order Refunded", {"dynamic-value"}),
        ("Checkout.OrderCompleted", "Checkout Order Completed", {"case"}),
        ("ORDER COMPLETED", "Order Completed", {"case"}),
        (" Order Completed ", "Order Completed", {"case"}),
        ("Order  Completed", "Order Completed", {"case"}),
        ("Order-Completed", "Order Completed", {"case"}),
        ("url opened", "URL Opened", {"case"}),
        ("Video Played Event", "Video Played", {"redundant-word"}),
        ("ad_click_event", "Ad Clicked", {"case", "tense", "redundant-word"}),
    ],
)
def test_it_suggests_the_exact_name(name, suggestion, rules):
    result = lint_event(name, SEGMENT)
    if rules is None:
        assert not result.ok
        return
    assert not result.ok
    assert result.suggestion == suggestion
    assert {v.rule for v in result.violations} == rules
    assert lint_event(result.suggestion, SEGMENT).ok


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\t\n", "empty"),
        ("تم الشراء", "forbidden-chars"),
        ("تم الشراء", "no-words"),
        ("🚀🚀", "no-words"),
        ("Added to Cart", "missing-object"),
        ("Search Results", "tense"),
        ("Browser Menu", "missing-action"),
        ("Foo Frobnicated", "unknown-action"),
        ("$pageview", "reserved-prefix"),
        ("Identify", "reserved-name"),
        ("page", "reserved-name"),
        ("Order " * 20 + "Completed", "max-length"),
    ],
)
def test_it_refuses_to_invent_a_suggestion(name, rule):
    result = lint_event(name, SEGMENT)
    assert not result.ok
    assert rule in {v.rule for v in result.violations}
    assert result.suggestion is None
    # The page says "No confident suggestion: <note>", so the note gives the reason alone.
    assert result.note
    assert not result.note.lower().startswith("no suggestion")


def test_every_violation_names_rule_message_and_part():
    result = lint_event("clickedSignupBtn", SEGMENT)
    abbreviation = next(v for v in result.violations if v.rule == "abbreviation")
    assert abbreviation.part == "btn"
    assert "button" in abbreviation.message


def test_tense_message_shows_the_wanted_form_in_the_case_style():
    (violation,) = lint_event("Order Complete", SEGMENT).violations
    assert violation.message == "Write the action in the past tense: 'Completed', not 'complete'."
    assert violation.part == "complete"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Order Viewed 2019-11-01", "date"),
        ("Order Viewed 2019-11-01T10:00:00Z", "date"),
        ("Order Viewed at 10:30", "time"),
        ("Order 550e8400-e29b-41d4-a716-446655440000 Viewed", "id"),
        ("Order 9f86d081884c7d65 Viewed", "id"),
        ("Invite Sent to bob@example.com", "e-mail address"),
        ("Page Viewed https://example.com/x?y=1", "URL"),
        ("Page Viewed www.example.com", "URL"),
        ("Level 12 Completed", "number"),
        ("Price 9.99 Changed", "number"),
    ],
)
def test_it_recognises_each_kind_of_dynamic_value(name, kind):
    result = lint_event(name, SEGMENT)
    messages = [v.message for v in result.violations if v.rule == "dynamic-value"]
    assert messages and f"({kind} " in messages[0], result.violations


@pytest.mark.parametrize(
    "name", ["AmazonS3Config", "Oauth2 Completed", "Mp3 Played", "2fa Enabled"]
)
def test_digits_inside_words_are_not_dynamic_values(name):
    assert "dynamic-value" not in {v.rule for v in lint_event(name, SEGMENT).violations}


def test_forbidden_characters_come_from_the_convention():
    conv = Convention(forbidden_chars="xq-")
    rules = {v.rule for v in lint_event("Box Opened", conv).violations}
    assert "forbidden-chars" in rules
    assert "forbidden-chars" in {v.rule for v in lint_event("Order-Completed", conv).violations}
    assert lint_event("Order Completed", conv).ok


def test_dynamic_value_check_can_be_switched_off():
    conv = Convention(forbid_dynamic_values=False)
    assert "dynamic-value" not in {
        v.rule for v in lint_event("Level 12 Completed", conv).violations
    }


def test_dynamic_value_violation_names_the_value():
    result = lint_event("User Signed Up (11-01-2019)", SEGMENT)
    (violation,) = result.violations
    assert violation.part == "11-01-2019"
    assert "property" in violation.message


@pytest.mark.parametrize(
    ("preset", "good", "bad", "suggestion"),
    [
        ("segment", "Order Completed", "order_completed", "Order Completed"),
        ("snake", "order_completed", "Order Completed", "order_completed"),
        ("camel", "orderCompleted", "order_completed", "orderCompleted"),
        (
            "dotted",
            "checkout.order_completed",
            "Checkout.OrderCompleted",
            "checkout.order_completed",
        ),
        (
            "snake",
            "product_added_to_wishlist",
            "addedProductToWishlist",
            "product_added_to_wishlist",
        ),
        ("camel", "signedIn", "Signed In", "signedIn"),
        (
            "dotted",
            "onboarding.tour_completed",
            "onboarding.completeTour",
            "onboarding.tour_completed",
        ),
    ],
)
def test_each_preset_accepts_its_style_and_repairs_others(preset, good, bad, suggestion):
    conv = PRESETS[preset]
    assert lint_event(good, conv).ok
    result = lint_event(bad, conv)
    assert not result.ok
    assert result.suggestion == suggestion


def test_default_preset_is_segment_object_action_title_case_past():
    conv = PRESETS[DEFAULT_PRESET]
    assert DEFAULT_PRESET == "segment"
    assert (conv.event_case, conv.property_case, conv.word_order, conv.tense) == (
        "title",
        "snake",
        "object_action",
        "past",
    )


def test_dotted_names_need_a_category():
    result = lint_event("order_completed", PRESETS["dotted"])
    assert "missing-category" in {v.rule for v in result.violations}
    assert result.suggestion is None


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Order Completed", "Completed Order"),
        ("view_product", "Viewed Product"),
        ("clickedSignupBtn", "Clicked Signup Button"),
        ("Product Added to Wishlist", "Added Product to Wishlist"),
    ],
)
def test_action_object_order(name, suggestion):
    conv = Convention(word_order="action_object")
    result = lint_event(name, conv)
    assert result.suggestion == suggestion
    assert lint_event(suggestion, conv).ok


@pytest.mark.parametrize(
    ("name", "ok", "suggestion"),
    [
        ("Order Complete", True, None),
        ("Order Completes", True, None),
        ("Order Completed", False, "Order Complete"),
        ("Order Completing", False, "Order Complete"),
    ],
)
def test_present_tense_convention(name, ok, suggestion):
    conv = Convention(tense="present")
    result = lint_event(name, conv)
    assert result.ok is ok
    assert result.suggestion == suggestion


def test_any_tense_accepts_every_form():
    conv = Convention(tense="any")
    for name in ("Button Click", "Button Clicks", "Button Clicking", "Button Clicked"):
        assert lint_event(name, conv).ok, name


@pytest.mark.parametrize("form", ["click", "clicks", "clicking", "Clicked", "CLICKED"])
def test_it_recognises_every_form_of_a_verb(form):
    parsed = parse(f"Button {form}", SEGMENT)
    assert parsed.action == "click"
    assert parsed.objects == ("button",)


@pytest.mark.parametrize(
    ("name", "objects", "action", "qualifiers"),
    [
        ("clickedSignupBtn", ("signup", "button"), "click", ()),
        ("Product Added to Wishlist", ("product",), "add", ("to", "wishlist")),
        ("user_signed_up", ("user",), "sign up", ()),
        ("Email Marked as Spam", ("email",), "mark", ("as", "spam")),
        ("Invite Sent", ("invite",), "send", ()),
        ("Order Complete", ("order",), "complete", ()),
        ("Browser Menu", ("browser", "menu"), None, ()),
    ],
)
def test_it_parses_names_as_structure(name, objects, action, qualifiers):
    parsed = parse(name, SEGMENT)
    assert (parsed.objects, parsed.action, parsed.qualifiers) == (objects, action, qualifiers)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("tabs_tray.close_selected_tabs", "tabs_tray.selected_tabs_closed"),
        ("history.removed_today_and_yesterday", "history.today_and_yesterday_removed"),
        ("top_sites.open_frecency", "top_sites.frecency_opened"),
        ("collections.rename_button", None),
        ("recently_closed_tabs.menu_delete", None),
        ("onboarding.sync_card_impression", None),
        ("bookmarks.open_in_new_tab", "bookmarks.opened_in_new_tab"),
        ("events.app_opened", None),
    ],
)
def test_glean_style_names_under_the_dotted_preset(name, suggestion):
    result = lint_event(name, PRESETS["dotted"])
    assert result.suggestion == suggestion
    if suggestion is None and not result.ok:
        assert result.note


def test_it_will_not_reorder_words_that_do_not_name_a_thing():
    result = lint_event("unlock_successful", SEGMENT)
    assert result.suggestion is None
    assert "does not read as the thing" in result.note
    # A word no dictionary knows is taken for the name of a thing, as teams' features are.
    assert lint_event("open_frecency", SEGMENT).suggestion == "Frecency Opened"


def test_a_participle_describing_a_noun_is_not_the_action():
    assert parse("Saved Items Viewed", SEGMENT).action == "view"
    assert lint_event("Viewed Saved Items", SEGMENT).suggestion == "Saved Items Viewed"


def test_a_verb_that_is_also_a_noun_is_not_a_confident_action():
    parsed = parse("Search Results", SEGMENT)
    assert parsed.action == "search"
    assert not parsed.confident
    assert "could be a noun" in lint_event("Search Results", SEGMENT).note


@pytest.mark.parametrize("style", CASE_STYLES)
def test_render_reproduces_the_structure_in_every_style(style):
    conv = Convention(event_case=style)
    parsed = parse("checkout.product_added_to_wishlist", SEGMENT)
    expected = {
        "title": "Checkout Product Added to Wishlist",
        "snake": "checkout_product_added_to_wishlist",
        "camel": "checkoutProductAddedToWishlist",
        "dotted": "checkout.product_added_to_wishlist",
    }[style]
    assert render(parsed, conv) == expected


@pytest.mark.parametrize(
    "name", ["App Opened", "app_opened", "app-opened", "appOpened", "APP_OPENED"]
)
def test_normalise_ignores_case_and_separators(name):
    assert normalise(name) == "app_opened"


@pytest.mark.parametrize(
    "name",
    [
        "",
        " ",
        "x" * 10_000,
        "Order Completed " * 700,
        "\x00\x01\x02",
        "🚀🚀🚀",
        "שלום עולם",
        "مرحبا Clicked",
        "\u202eOrder Completed",
        ".",
        "...",
        "._.-",
        "a.b.c.d",
        "123",
        "(((",
        "Order (",
        "$",
        "ID",
        "URL",
        "iOS",
        "x",
        None,
        12345,
    ],
)
def test_it_never_raises_and_explains(name):
    for conv in PRESETS.values():
        result = lint_event(name, conv)
        assert result.ok or result.violations
        assert all(v.message for v in result.violations)
        if result.suggestion:
            assert lint_event(result.suggestion, conv).ok
        else:
            assert result.ok or result.note
        prop = lint_property(name, conv, "string")
        if prop.suggestion:
            assert lint_property(prop.suggestion, conv).ok


def test_ten_thousand_characters_is_flagged_too_long():
    result = lint_event("Order Completed" + "x" * 10_000, SEGMENT)
    assert "max-length" in {v.rule for v in result.violations}
    assert "10015 characters" in next(
        v.message for v in result.violations if v.rule == "max-length"
    )


def test_linting_is_deterministic_across_equal_conventions():
    a = lint_event("clickedSignupBtn", Convention())
    b = lint_event("clickedSignupBtn", Convention.from_dict(Convention().to_dict()))
    assert a == b


# --- properties -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "type_", "ok", "rules", "suggestion"),
    [
        ("plan_type", "string", True, set(), None),
        ("planType", "string", False, {"case"}, "plan_type"),
        ("Plan Type", None, False, {"case"}, "plan_type"),
        ("btn_color", "string", False, {"abbreviation"}, "button_color"),
        ("$plan", "string", False, {"reserved-prefix"}, "plan"),
        ("timestamp", "datetime", False, {"reserved-name"}, None),
        ("price_2019", "number", False, {"dynamic-value"}, "price"),
        ("plan_type", "varchar", False, {"property-type"}, None),
        ("", "string", False, {"empty"}, None),
    ],
)
def test_property_rules(name, type_, ok, rules, suggestion):
    result = lint_property(name, SEGMENT, type_)
    assert result.ok is ok
    assert {v.rule for v in result.violations} == rules
    assert result.suggestion == suggestion


@pytest.mark.parametrize(
    ("type_", "message"),
    [
        ("int", "Write the type as 'integer', not 'int'."),
        ("String", "Write the type as 'string', not 'String'."),
        ("varchar", "Unknown type 'varchar'; use one of string, number, integer, boolean"),
    ],
)
def test_property_type_messages_name_the_fix(type_, message):
    result = lint_property("plan_type", SEGMENT, type_)
    (violation,) = result.violations
    assert violation.rule == "property-type"
    assert violation.message.startswith(message)
    assert result.note == "The name is fine; only the type needs fixing."


def test_camel_preset_wants_camel_case_properties():
    assert lint_property("planType", PRESETS["camel"]).ok
    assert lint_property("plan_type", PRESETS["camel"]).suggestion == "planType"


# --- the convention as data -----------------------------------------------------------------


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_conventions_round_trip_through_json(preset):
    conv = PRESETS[preset]
    data = json.loads(json.dumps(conv.to_dict()))
    assert Convention.from_dict(data) == conv
    assert hash(Convention.from_dict(data)) == hash(conv)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"event_case": "kebab"}, "event_case"),
        ({"word_order": "random"}, "word_order"),
        ({"tense": "future"}, "tense"),
        ({"max_length": "64"}, "max_length"),
        ({"max_length": 2}, "max_length"),
        ({"reserved_prefixes": "mp_"}, "reserved_prefixes"),
        ({"actions": {"click": "Clicked!"}}, "actions"),
        ({"actions": ["click"]}, "actions"),
        ({"objects": "cart"}, "objects"),
        ({"synonyms": [["alone"]]}, "synonyms"),
        ({"forbid_dynamic_values": "yes"}, "forbid_dynamic_values"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_from_dict_names_the_bad_key(data, key):
    with pytest.raises(ValueError, match=key):
        Convention.from_dict(data)


def test_team_words_add_vocabulary():
    base = PRESETS["segment"]
    assert not lint_event("Report Frobnicated", base).ok
    team = base.with_team_words(actions={"frobnicate": "frobnicated"}, objects=["widgetry"])
    assert lint_event("Report Frobnicated", team).ok
    assert lint_event("Widgetry Frobnicated", team).ok
    assert "widgetry" in team.objects


def test_team_words_cannot_loosen_organisation_rules():
    base = PRESETS["segment"]
    team = base.with_team_words(actions={"click": "clicky"})
    assert team.actions["click"] == "clicked"
    for key in ("event_case", "word_order", "tense", "reserved_prefixes", "max_length"):
        assert getattr(team, key) == getattr(base, key)
    with pytest.raises(ValueError, match="actions"):
        base.with_team_words(actions={"Bad Verb!": "x"})


def test_team_words_are_tidied_before_they_are_checked():
    team = SEGMENT.with_team_words(actions={" Rebook ": "Rebooked"}, objects=["  Seat  Map "])
    assert team.actions["rebook"] == "rebooked"
    assert "seat map" in team.objects
    assert lint_event("Seat Rebooked", team).ok


def test_irregular_and_doubling_verbs_get_the_right_past_participle():
    actions = SEGMENT.actions
    assert [actions[v] for v in ("send", "choose", "drag", "tap", "cancel", "log in", "pay")] == [
        "sent",
        "chosen",
        "dragged",
        "tapped",
        "cancelled",
        "logged in",
        "paid",
    ]
    assert len(actions) >= 150 and len(SEGMENT.objects) >= 200


def test_a_big_batch_leaves_the_collector_on_and_its_garbage_collectable():
    import gc
    import weakref

    from telemetry.naming import collector_paused, lint_events

    class Node:
        pass

    assert gc.isenabled() and gc.get_freeze_count() == 0
    with collector_paused(promote=True):
        cycle = Node()
        cycle.me = cycle
        ref = weakref.ref(cycle)
        del cycle
        lint_events([f"Widget {n} Added" for n in range(1000)], PRESETS["segment"])
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # promoted to the oldest generation, not frozen
    assert ref() is not None  # no young collection ran on the way out...
    gc.collect()
    assert ref() is None  # ...and a full one still finds the cycle


def test_a_big_batch_leaves_objects_frozen_on_purpose_frozen():
    import gc

    from telemetry.naming import lint_events

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        lint_events([f"Gadget {n} Added" for n in range(1000)], PRESETS["segment"])
        # Objects that die by reference count leave the permanent generation
        # (the CI run that found this lost one), so exact equality is flaky;
        # an unfreeze would empty it, which is what this guards against.
        assert gc.get_freeze_count() > frozen - 100
        assert gc.isenabled()
    finally:
        gc.unfreeze()
