from datetime import datetime, timedelta

import pytest

from strategy import phases
from strategy.phases import Viewer

OWNER = Viewer(is_owner=True)
LEADER = Viewer(is_leadership=True)
MEMBER = Viewer(is_audience=True)
LEADING_MEMBER = Viewer(is_audience=True, is_leadership=True)
OUTSIDER = Viewer()
ADMIN = Viewer(is_admin=True)
NOW = datetime(2026, 11, 27, 12, 0)


@pytest.mark.parametrize(
    ("phase", "viewer", "allowed"),
    [
        ("draft", OWNER, True),
        ("draft", LEADER, False),
        ("draft", MEMBER, False),
        ("draft", ADMIN, False),
        ("feedback", MEMBER, True),
        ("feedback", LEADER, True),
        ("feedback", OUTSIDER, False),
        ("final", OUTSIDER, False),
        ("archived", MEMBER, True),
    ],
)
def test_who_sees_a_strategy(phase, viewer, allowed):
    assert phases.can_view(phase, viewer) is allowed


def test_the_window_is_open_only_between_its_dates_and_in_its_phase():
    opens, closes = NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    assert phases.window_is_open("feedback", opens, closes, NOW)
    assert not phases.window_is_open("feedback", opens, closes, closes)
    assert not phases.window_is_open("reveal", opens, closes, NOW)
    assert not phases.window_is_open("feedback", NOW + timedelta(minutes=1), closes, NOW)


def test_leaders_speak_last():
    allowed, reason = phases.can_give_feedback("feedback", LEADING_MEMBER, True)
    assert not allowed and "Leaders speak last" in reason
    assert not phases.can_give_feedback("feedback", OWNER, True)[0]
    assert phases.can_give_feedback("feedback", MEMBER, True)[0]


def test_feedback_outside_the_window_is_refused():
    allowed, reason = phases.can_give_feedback("reveal", MEMBER, False)
    assert not allowed and "not open" in reason


def test_during_the_window_only_the_owner_answers_and_only_clarifying_questions():
    assert phases.can_reply("feedback", OWNER, window_open=True, to_clarifying_question=True)[0]
    assert not phases.can_reply("feedback", OWNER, window_open=True, to_clarifying_question=False)[
        0
    ]
    assert not phases.can_reply("feedback", LEADER, window_open=True, to_clarifying_question=True)[
        0
    ]
    assert not phases.can_reply("feedback", MEMBER, window_open=True, to_clarifying_question=True)[
        0
    ]
    assert phases.can_reply("reveal", MEMBER, window_open=False, to_clarifying_question=False)[0]
    assert phases.can_reply("reveal", LEADER, window_open=False, to_clarifying_question=False)[0]
    assert not phases.can_reply("final", MEMBER, window_open=False, to_clarifying_question=False)[0]


def test_votes_only_after_the_reveal_and_not_by_the_owner():
    assert phases.can_vote("reveal", MEMBER, voting_open=True)[0]
    assert phases.can_vote("reveal", LEADER, voting_open=True)[0]
    assert not phases.can_vote("reveal", OWNER, voting_open=True)[0]
    assert not phases.can_vote("feedback", MEMBER, voting_open=False)[0]
    assert not phases.can_vote("decision", MEMBER, voting_open=False)[0]
    assert not phases.can_vote("reveal", MEMBER, voting_open=False)[0]


def test_only_the_owner_gives_dispositions_after_the_reveal():
    assert phases.can_dispose("reveal", OWNER)[0]
    assert not phases.can_dispose("feedback", OWNER)[0]
    assert not phases.can_dispose("reveal", LEADER)[0]
    assert not phases.can_dispose("reveal", ADMIN)[0]


def test_nobody_moves_feedback_to_reveal_by_hand():
    for viewer in (OWNER, ADMIN, LEADER):
        assert not phases.can_transition("feedback", "reveal", viewer)[0]
    assert phases.can_transition("reveal", "decision", OWNER)[0]
    assert phases.can_transition("decision", "final", OWNER)[0]
    assert not phases.can_transition("final", "draft", OWNER)[0]
    assert phases.can_transition("final", "archived", ADMIN)[0]


def test_publishing_is_never_allowed_during_the_window():
    assert phases.can_publish_version("draft", OWNER)
    assert not phases.can_publish_version("feedback", OWNER)
    assert phases.can_publish_version("reveal", OWNER)
    assert not phases.can_publish_version("reveal", LEADER)


def test_undisposed_blockers_count_only_pushback_concern_and_alternatives():
    assert (
        phases.undisposed_blockers(
            [("pushback", False), ("question", False), ("concern", True), ("alternative", False)]
        )
        == 2
    )
