"""The linter reads names as English (issue 13): a dictionary instead of closed lists, the action
chosen by position and word class, modifiers, numbers and acronyms kept, and "not sure" said
instead of a guess. Pure Python, no database."""

import pytest

from telemetry.naming import PRESETS, Convention, lint_event, parse

SEGMENT = PRESETS["segment"]


@pytest.mark.parametrize(
    "name",
    [
        "Order Placed",
        "Error Occurred",
        "Reward Earned",
        "Report Generated",
        "Session Expired",
        "Parcel Arrived",
        "Quiz Passed",
        "Goal Reached",
        "Seat Reserved",
        "Driver Assigned",
        "Profile Verified",
        "Bid Placed",
        "Message Forwarded",
        "Photo Uploaded",
        "Level Unlocked",
        "Card Declined",
        "Room Booked",
        "Loan Approved",
        "Habit Tracked",
        "Lesson Attempted",
    ],
)
def test_common_past_tense_verbs_pass_without_being_listed(name):
    result = lint_event(name, SEGMENT)
    assert result.ok, result.violations


def test_a_word_no_dictionary_knows_is_still_an_unknown_action():
    result = lint_event("Widget Frobnicated", SEGMENT)
    assert "unknown-action" in {v.rule for v in result.violations}


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("view_item", "Item Viewed"),
        ("select_content", "Content Selected"),
        ("generate_lead", "Lead Generated"),
        ("earn_virtual_currency", "Virtual Currency Earned"),
        ("update_order", "Order Updated"),
        ("link_click", "Link Clicked"),
        ("job_update", "Job Updated"),
        ("file_download", "File Downloaded"),
        ("seek_end_event", "Seek Ended"),
        ("application_install", "Application Installed"),
        ("group_resubscribe", "Group Resubscribed"),
    ],
)
def test_present_tense_names_get_a_suggestion_by_word_position(name, suggestion):
    assert lint_event(name, SEGMENT).suggestion == suggestion


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("collections.rename_button", "may name a button or menu item"),
        ("recently_closed_tabs.menu_close", "may name a button or menu item"),
        ("onboarding.sync_card_impression", "noun that names the event"),
        ("events.save_to_pdf_failure", "noun that names the event"),
        ("android_autofill.request_no_matching_logins", "negation"),
        ("history.search_term_group_remove_tab", "could be a noun or the action"),
        ("Search Results", "could be a noun or the action"),
        ("login_dialog.never_save", "could be a noun or the action"),
        ("onboarding.privacy_notice", "no action verb"),
        # A word that reads as an adjective or adverb first: a kind of press, not a press made.
        ("collections.long_press", "'long press' may name a kind of press"),
        ("first_visit", "'first visit' may name a kind of visit"),
        ("RICH_READ", "could be a noun or the action"),
        # An adverb where the object would be: the label of a button.
        ("sync_account.sync_now", "'now' does not read as the thing 'sync' acted on"),
        ("scroll_down", "'down' does not read as the thing 'scroll' acted on"),
        # A phrasal verb that takes no object: what follows is no object of it.
        ("sign_in_page", "'sign in' takes no object"),
        ("cookie_banners.opt_out_re_engagement_dialog", "'opt out' takes no object"),
        # "to" and a verb: what a button or prompt is for.
        ("sync_account.sign_in_to_send_tab", "say what a button or prompt is for"),
        # An item of a prompt or menu, wherever it sits in the name.
        ("credit_cards.save_prompt_update", "may name a button or menu item"),
    ],
)
def test_it_says_a_name_is_ambiguous_rather_than_guess(name, says):
    result = lint_event(name, SEGMENT)
    assert result.suggestion is None
    assert says in result.note


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        # A noun before the last word still names the thing, and an adverb reading deeper in
        # the name does not make the last word a noun.
        ("link_click", "Link Clicked"),
        ("notification_close_click", "Notification Close Clicked"),
        # Objects that are things, after a verb first.
        ("close_all_tabs", "All Tabs Closed"),
        ("open_home", "Home Opened"),
        # A verb that does take an object, and "to" before a noun.
        ("set_up_account", "Account Set Up"),
        ("add_product_to_wishlist", "Product Added to Wishlist"),
        # A past form that is also the base form, after a noun.
        ("password_reset", "Password Reset"),
    ],
)
def test_the_new_doubts_leave_plain_names_alone(name, suggestion):
    assert lint_event(name, SEGMENT).suggestion == suggestion


DOTTED = PRESETS["dotted"]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        # A word that can name a thing, before one plural noun: a compound as much as an action.
        ("engine_tab.foreground_metrics", "could be a noun or the action"),
        ("files.print_documents", "could be a noun or the action"),
        # A category that already says what happened: the name says which kind of it.
        ("app_opened.share_intent", "the category 'app opened' already says what happened"),
        ("checkout_completed.apply_coupon", "already says what happened"),
        # A category that reads on into the name: an item of a list, not an action.
        ("open_with.install_firefox", "'open with' reads on into the name"),
        ("share_to.copy_link", "'share to' reads on into the name"),
        # A problem names what happened, like a failure.
        ("sync_auth.use_email_problem", "noun that names the event"),
    ],
)
def test_it_declines_when_the_words_or_the_category_make_the_action_a_guess(name, says):
    result = lint_event(name, DOTTED)
    assert not result.ok
    assert result.suggestion is None
    assert says in result.note


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        # A verb with no noun reading before a plural noun still acts on it.
        ("search_engines.remove_engines", "search_engines.engines_removed"),
        ("tabs_tray.share_all_tabs", "tabs_tray.all_tabs_shared"),
        # A category with a past participle that describes the next word is no event.
        ("recently_closed_tabs.open_tab", "recently_closed_tabs.tab_opened"),
        # A category that holds a present verb does not say what happened.
        ("start_on_home.open_tabs_tray", "start_on_home.tabs_tray_opened"),
    ],
)
def test_the_category_and_plural_doubts_leave_clear_names_alone(name, suggestion):
    assert lint_event(name, DOTTED).suggestion == suggestion


def test_event_after_a_verb_alone_is_its_object():
    # Only a verb with no other reading makes "event" the object; "Ad Click Event" is still a
    # click with a redundant word.
    assert lint_event("create_event", SEGMENT).suggestion == "Event Created"
    assert "redundant-word" not in {v.rule for v in lint_event("create_event", SEGMENT).violations}
    assert lint_event("ad_click_event", SEGMENT).suggestion == "Ad Clicked"
    assert lint_event("seek_end_event", SEGMENT).suggestion == "Seek Ended"
    assert lint_event("signed_up_event", SEGMENT).suggestion == "Signed Up"


def test_a_verb_used_as_a_modifier_is_not_made_the_action():
    # It used to become "Collections Button Renamed".
    assert lint_event("collections.rename_button", SEGMENT).suggestion is None
    assert lint_event("collections.rename_button", PRESETS["dotted"]).suggestion is None


def test_words_are_not_doubled_where_category_and_objects_meet():
    assert (
        lint_event("start_on_home.enter_home_screen", SEGMENT).suggestion
        == "Start On Home Screen Entered"
    )
    assert lint_event("home_screen.home_screen_displayed", SEGMENT).suggestion == (
        "Home Screen Displayed"
    )


def test_numbers_before_a_unit_stay_and_other_numbers_are_still_values():
    result = lint_event("video_played_50_percent", SEGMENT)
    assert result.suggestion == "Video Played 50 Percent"
    assert "dynamic-value" not in {v.rule for v in result.violations}
    assert lint_event("Video Played 50 Percent", SEGMENT).ok
    assert "dynamic-value" in {
        v.rule for v in lint_event("Order 48213 Completed", SEGMENT).violations
    }


def test_camel_case_with_digits_splits_where_a_reader_would():
    assert parse("Checkout3dsCompleted", SEGMENT).objects == ("checkout", "3ds")
    assert lint_event("Checkout3dsCompleted", SEGMENT).suggestion == "Checkout 3DS Completed"
    assert parse("twoFactor2faEnabled", SEGMENT).objects == ("two", "factor", "2fa")
    assert parse("oauth2LoginFailed", SEGMENT).objects == ("oauth2", "login")


def test_acronyms_keep_their_capitals():
    assert lint_event("utm_link_clicked", SEGMENT).suggestion == "UTM Link Clicked"
    assert lint_event("UTM Link Clicked", SEGMENT).ok


def test_the_team_vocabulary_still_comes_first():
    team = SEGMENT.with_team_words(actions={"notice": "noticed"})
    assert lint_event("privacy_notice", SEGMENT).suggestion is None
    assert lint_event("privacy_notice", team).suggestion == "Privacy Noticed"


# --- messages follow the active convention (issue 13, item 5) ---------------------------------

PRESENT_SNAKE = Convention(event_case="snake", word_order="action_object", tense="present")


@pytest.mark.parametrize(
    "name", ["", "Product", "Clicked", "ProductViewed", "Product Viewed", "view product"]
)
def test_examples_in_messages_follow_the_active_preset(name):
    for conv in (PRESETS["snake"], PRESETS["camel"], PRESETS["dotted"], PRESENT_SNAKE):
        messages = " ".join(v.message for v in lint_event(name, conv).violations)
        assert "'Order Completed'" not in messages
        assert "'Product Viewed'" not in messages
    messages = " ".join(v.message for v in lint_event("Product", PRESENT_SNAKE).violations)
    assert "'view_product'" in messages
    messages = " ".join(v.message for v in lint_event("Clicked", PRESENT_SNAKE).violations)
    assert "'click_product'" in messages


@pytest.mark.parametrize(
    "name",
    ["Search Results", "Browser Menu", "Foo Frobnicated", "page", "collections.rename_button"],
)
def test_a_note_gives_the_reason_once(name):
    # The register form shows "No confident suggestion: <note>"; it read
    # "No confident suggestion: No suggestion: ..." before.
    note = lint_event(name, SEGMENT).note
    assert note
    assert "suggestion" not in note.lower()


def test_a_form_of_be_before_the_participle_is_left_out():
    result = lint_event("search_widget.widget_was_added", PRESETS["dotted"])
    assert "redundant-word" in {v.rule for v in result.violations}
    assert result.suggestion == "search_widget.widget_added"
    assert lint_event("Widget Was Added", SEGMENT).suggestion == "Widget Added"
    # Not before something that is no participle: that "has" is no auxiliary.
    assert lint_event("tabs_tray.has_inactive_tabs", PRESETS["dotted"]).suggestion is None


def test_every_suggestion_passes_and_the_short_way_agrees_on_tricky_words():
    """Words that the dictionary rules treat specially, in random names: every suggestion passes
    the linter, and the short way for plain names answers what the full rules answer."""
    import random

    from telemetry.naming import lint_event_in_full
    from telemetry.naming.plain import lint_plain_event
    from telemetry.naming.structure import engine

    rng = random.Random(3)
    conventions = [
        *PRESETS.values(),
        Convention(event_case="snake", word_order="action_object", tense="present"),
        Convention(tense="any"),
    ]
    words = [
        "order",
        "update",
        "view",
        "item",
        "button",
        "menu",
        "close",
        "was",
        "has",
        "been",
        "added",
        "tabs",
        "impression",
        "placed",
        "opened",
        "sync",
        "now",
        "event",
        "long",
        "press",
        "link",
        "click",
        "signed",
        "up",
        "in",
        "install",
        "prompt",
        "create",
        "save",
        "selected",
        "all",
        "never",
        "50",
        "percent",
        "3ds",
        "checkout",
        "no",
        "first",
        "down",
        "to",
        "send",
        "read",
        "opt",
        "out",
        "visit",
    ]
    for _ in range(2500):
        picked = [rng.choice(words) for _ in range(rng.randint(1, 5))]
        separator = rng.choice(["_", " ", ""])
        if separator:
            name = separator.join(picked)
        else:
            name = picked[0] + "".join(w.capitalize() for w in picked[1:])
        for conv in conventions:
            full = lint_event_in_full(conv, name)
            short = lint_plain_event(name, conv, engine(conv))
            assert short is None or short == full, name
            if full.suggestion is not None:
                assert lint_event(full.suggestion, conv).ok, (name, full.suggestion)
