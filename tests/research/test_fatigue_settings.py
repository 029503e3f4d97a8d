"""Fatigue rule settings as ProductOps admins store and edit them."""

import json

import pytest

from research.fatigue import Rules


def test_the_defaults_are_those_of_the_issue():
    rules = Rules()
    assert (rules.max_invitations, rules.invitation_window_days) == (3, 90)
    assert (rules.invitation_cooldown_days, rules.session_cooldown_days) == (14, 60)
    assert rules.max_sessions_per_year == 4
    assert (rules.account_max_sessions_per_quarter, rules.account_max_minutes_per_quarter) == (
        10,
        600,
    )
    assert rules.no_show_limit == 2
    assert rules.renewal_quiet_days == 60
    assert rules.respect_owner_flag is True


def test_settings_survive_a_round_trip_through_json():
    rules = Rules(max_invitations=5, max_sessions_per_year_by_method={"interview": 2})
    stored = json.loads(json.dumps(rules.to_dict()))
    assert Rules.from_dict(stored) == rules
    assert hash(Rules.from_dict(stored)) == hash(rules)


def test_missing_settings_take_the_defaults():
    assert Rules.from_dict({"max_invitations": 7}) == Rules(max_invitations=7)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"max_invitation": 3}, "'max_invitation'"),
        ({"max_invitations": -1}, "'max_invitations' must be 0 or more, got -1"),
        ({"session_cooldown_days": "60"}, "'session_cooldown_days' must be a whole number"),
        ({"session_cooldown_days": 1.5}, "'session_cooldown_days' must be a whole number"),
        ({"no_show_limit": True}, "'no_show_limit' must be a whole number"),
        ({"respect_owner_flag": "yes"}, "'respect_owner_flag' must be true or false"),
        ({"max_sessions_per_year_by_method": {"interview": -2}}, "'interview'"),
        ({"max_sessions_per_year_by_method": {"": 2}}, "bad method"),
        ({"max_sessions_per_year_by_method": [1]}, "must map a method"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_key_and_value(settings, named):
    with pytest.raises(ValueError, match=named.replace("(", r"\(")):
        Rules.from_dict(settings)


def test_settings_that_are_not_an_object_are_refused():
    with pytest.raises(ValueError, match="object of settings"):
        Rules.from_dict([("max_invitations", 3)])


def test_the_per_method_limits_cannot_be_changed_behind_the_rules_back():
    limits = {"interview": 2}
    rules = Rules(max_sessions_per_year_by_method=limits)
    limits["interview"] = 99
    assert rules.max_sessions_per_year_by_method["interview"] == 2
    with pytest.raises(TypeError):
        rules.max_sessions_per_year_by_method["survey"] = 1
