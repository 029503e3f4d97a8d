"""The life of a strategy and who may do what in each phase. Pure Python, no Django.

draft → feedback (the window) → reveal (discussion, votes) → decision → final → archived

A `Viewer` says how a person relates to one strategy; every rule below is a
plain function of (phase, viewer, ...) so pages, the API and tasks share them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

DRAFT = "draft"
FEEDBACK = "feedback"
REVEAL = "reveal"
DECISION = "decision"
FINAL = "final"
ARCHIVED = "archived"

ORDER = [DRAFT, FEEDBACK, REVEAL, DECISION, FINAL, ARCHIVED]
LABELS = {
    DRAFT: "Draft",
    FEEDBACK: "Open for feedback",
    REVEAL: "Reveal and discussion",
    DECISION: "Decision",
    FINAL: "Final",
    ARCHIVED: "Archived",
}
# Phases after the window: feedback is visible to the audience.
REVEALED = (REVEAL, DECISION, FINAL, ARCHIVED)
# Moves a person may make by hand; feedback → reveal happens only when the window's end passes.
MANUAL_TRANSITIONS = {
    (DRAFT, FEEDBACK),
    (REVEAL, DECISION),
    (DECISION, FINAL),
    (REVEAL, FINAL),
    (FINAL, ARCHIVED),
}

# Points whose author deserves an explicit answer before the strategy moves on.
MUST_ANSWER_TYPES = ("pushback", "concern", "alternative")


@dataclass(frozen=True)
class Viewer:
    is_owner: bool = False  # the owner or a delegate
    is_leadership: bool = False
    is_audience: bool = False  # member of one of the audience teams
    is_admin: bool = False

    @property
    def speaks_last(self) -> bool:
        return self.is_owner or self.is_leadership


def can_view(phase: str, viewer: Viewer) -> bool:
    if viewer.is_owner:
        return True
    if phase == DRAFT:
        return False
    return viewer.is_audience or viewer.is_leadership or viewer.is_admin


def can_edit_draft(phase: str, viewer: Viewer) -> bool:
    return viewer.is_owner and phase not in (FINAL, ARCHIVED)


def can_publish_version(phase: str, viewer: Viewer) -> bool:
    """The first version opens the window; later ones come after the reveal, never during the window."""
    return viewer.is_owner and phase in (DRAFT, REVEAL, DECISION)


def window_is_open(
    phase: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> bool:
    return (
        phase == FEEDBACK
        and opens_at is not None
        and closes_at is not None
        and opens_at <= now < closes_at
    )


def is_revealed(phase: str) -> bool:
    return phase in REVEALED


def can_give_feedback(phase: str, viewer: Viewer, window_open: bool) -> tuple[bool, str]:
    if viewer.speaks_last:
        return (
            False,
            "Leaders speak last: the owner and leadership do not give feedback on this strategy.",
        )
    if not viewer.is_audience:
        return False, "Only members of the audience teams give feedback."
    if not window_open:
        return False, "The feedback window is not open."
    return True, ""


def can_reply(
    phase: str, viewer: Viewer, *, window_open: bool, to_clarifying_question: bool
) -> tuple[bool, str]:
    if phase == FEEDBACK:
        if window_open and to_clarifying_question and viewer.is_owner:
            return True, ""
        if viewer.speaks_last:
            return (
                False,
                "Leaders speak last: during the window the owner only answers clarifying questions.",
            )
        return (
            False,
            "Replies open when the feedback is revealed; until then everyone answers on their own.",
        )
    if phase in (REVEAL, DECISION):
        if viewer.is_owner or viewer.is_audience or viewer.is_leadership:
            return True, ""
        return False, "Only the audience and leadership take part in the discussion."
    return False, "The discussion is closed."


# Voting has its own close inside the discussion, so the tally is read only once nobody can react to it.
VOTING_PERIOD = timedelta(days=5)


def voting_is_open(phase: str, closes_at: datetime | None, now: datetime) -> bool:
    return phase == REVEAL and closes_at is not None and now < closes_at


def tallies_visible(phase: str, closes_at: datetime | None, now: datetime) -> bool:
    """Vote counts are shown to nobody while anyone can still vote: early dots must not sway later ones."""
    if phase in (DRAFT, FEEDBACK):
        return False
    return not voting_is_open(phase, closes_at, now)


def can_vote(phase: str, viewer: Viewer, *, voting_open: bool) -> tuple[bool, str]:
    if phase != REVEAL:
        return False, "Voting is open only during the reveal and discussion phase."
    if not voting_open:
        return False, "Voting has closed; the tallies are shown on each point."
    if viewer.is_owner:
        return False, "The owner does not vote on the points they answer."
    if not (viewer.is_audience or viewer.is_leadership):
        return False, "Only the audience and leadership vote."
    return True, ""


def can_dispose(phase: str, viewer: Viewer) -> tuple[bool, str]:
    if not viewer.is_owner:
        return False, "Only the owner or a delegate answers points."
    if phase not in (REVEAL, DECISION, FINAL):
        return False, "Points are answered after the reveal."
    return True, ""


def can_transition(current: str, target: str, viewer: Viewer) -> tuple[bool, str]:
    if (current, target) not in MANUAL_TRANSITIONS:
        return (
            False,
            f"A strategy cannot move from {LABELS[current].lower()} to {LABELS[target].lower()}.",
        )
    if not viewer.is_owner and not (viewer.is_admin and target == ARCHIVED):
        return False, "Only the owner or a delegate moves the strategy on."
    return True, ""


# A reason is "of substance" when it reads as at least a short sentence, not "no" or "later".
REASON_MIN_WORDS = 5
REASON_MIN_CHARS = 25
ADOPTED_AS_WRITTEN = "adopted"


def disposition_reason_problem(status: str, reason: str) -> str:
    """An empty string when the reason suffices, else what the owner must add.

    Only "adopted as written" may go without words: the author of anything else is owed the why.
    """
    if status == ADOPTED_AS_WRITTEN:
        return ""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN_CHARS or len(text.split(" ")) < REASON_MIN_WORDS:
        return (
            "Give the reason in at least a sentence (five words or more): "
            "anything other than “adopted as written” owes its author the why."
        )
    return ""


def undisposed_blockers(points: list[tuple[str, bool]]) -> int:
    """How many must-answer points still lack a disposition; `points` is [(type, has_disposition)]."""
    return sum(1 for kind, answered in points if kind in MUST_ANSWER_TYPES and not answered)
