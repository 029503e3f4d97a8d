"""Models for converging after the reveal: assumptions and sealed confidence ratings, review
sessions with their agenda, private positions and question queue, and the decision record.

Imported by strategy.models, so Django finds them in the strategy app. Like points, every row
the pages or the API address carries a random `public_id`; the database key never leaves the server.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Assumption(models.Model):
    """One "what would have to be true" of a strategy, rated by the audience during the window."""

    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.CASCADE, related_name="assumption_items"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "position", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "text"], name="assumption_text_unique"),
        ]

    def __str__(self):
        return self.text[:80]


class ConfidenceRating(models.Model):
    """A person's sealed confidence (1–5) in one assumption; shown to nobody, only in aggregate after the reveal.

    `team` is the audience team the rating counts for, so per-team spreads can respect the k floor.
    """

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assumption", "user"], name="rating_once_per_person"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    # Never the score: a name shows in admin and logs, where the seal does not reach.
    def __str__(self):
        return "Confidence rating"


class ReviewSession(models.Model):
    """A meeting about the points written feedback did not settle, with an agenda built from disagreement."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "In session"
        ENDED = "ended", "Ended"

    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.CASCADE, related_name="review_sessions"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=160)
    starts_at = models.DateTimeField()
    length_minutes = models.PositiveSmallIntegerField()
    send_before_hours = models.PositiveSmallIntegerField()
    # Derived from starts_at and send_before_hours so the beat sweep filters on an index.
    send_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    version = models.ForeignKey("strategy.Version", on_delete=models.PROTECT, related_name="+")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    current_item = models.ForeignKey(
        "strategy.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Claimed by whichever worker sends first: the agenda and the reminder go out once.
    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change in the room, so a poll that has seen the latest answers "no change"
    # without rendering anything.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "public_id"]
        indexes = [
            models.Index(fields=["agenda_sent_at", "send_at"], name="session_agenda_due"),
            models.Index(fields=["reminder_sent_at", "remind_at"], name="session_reminder_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_minutes__gte=10) & Q(length_minutes__lte=240),
                name="session_length_range",
            ),
            models.CheckConstraint(
                condition=Q(send_before_hours__gte=1) & Q(send_before_hours__lte=168),
                name="session_send_before_range",
            ),
        ]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """A point that deserves the meeting's time, or (settled=True) one listed as settled in writing."""

    class Kind(models.TextChoices):
        SECTION = "section", "Section"
        ASSUMPTION = "assumption", "Assumption"
        ALTERNATIVE = "alternative", "Alternative"
        CUSTOM = "custom", "Added by the owner"

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="items")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject_key = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=300)
    reason = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(default=0)
    settled = models.BooleanField(default=False)
    disposition = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Positions are revealed in two steps: everyone else's, then the leaders'.
    positions_revealed_at = models.DateTimeField(null=True, blank=True)
    leaders_revealed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_decision = models.TextField(blank=True, max_length=2000)
    outcome_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_follow_up = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["session", "settled", "position", "public_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(settled=True) | Q(minutes__gte=1), name="agenda_item_has_time"
            ),
        ]

    def __str__(self):
        return self.title[:80]


class Position(models.Model):
    """A person's private stance on one agenda item, sealed until the facilitator reveals positions."""

    class Stance(models.TextChoices):
        SUPPORT = "support", "Support"
        CONCERN = "concern", "Concern"
        BLOCK = "block", "Block"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="positions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=8, choices=Stance.choices)
    line = models.CharField(max_length=200)
    # Leaders (owner, delegates, leadership) are revealed after everyone else.
    is_leader = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "is_leader", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="position_once_per_person"),
        ]

    def __str__(self):
        return "Position"  # never the stance: admin and logs sit outside the seal


class SessionQuestion(models.Model):
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="questions")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.CharField(max_length=300)
    # Kept to stop self-upvotes; the queue shows questions without names.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    votes = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered", "-votes", "created_at"]

    def __str__(self):
        return "Question"


class QuestionVote(models.Model):
    question = models.ForeignKey(SessionQuestion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once"),
        ]

    def __str__(self):
        return "Upvote"


class DecisionRecord(models.Model):
    """What was decided when the strategy was finalised; frozen once finalised, reopened on its review date."""

    strategy = models.OneToOneField(
        "strategy.Strategy", on_delete=models.CASCADE, related_name="decision_record"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decided = models.TextField("what was decided", max_length=4000)
    given_up = models.TextField("what was given up", max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField("review date")
    finalised_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the worker that reopens it on the review date, so the look-back is asked once.
    reopened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["reopened_at", "review_on"], name="decision_review_due")]

    def __str__(self):
        return f"Decision record of {self.strategy}"


class Commitment(models.Model):
    """A participant's "commit" or "commit, with registered dissent" (statement and prediction), visible to all."""

    class Kind(models.TextChoices):
        COMMIT = "commit", "Commit"
        DISSENT = "dissent", "Commit, with registered dissent"

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="commitments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    statement = models.TextField(blank=True, max_length=1000)
    prediction = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="commitment_once_per_person"),
            models.CheckConstraint(
                condition=Q(kind="commit") | (~Q(statement="") & ~Q(prediction="")),
                name="dissent_has_statement_and_prediction",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class PointGroup(models.Model):
    """Points that make the same argument in other words, answered once (strategy/grouping.py)."""

    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.CASCADE, related_name="point_groups"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "created_at", "public_id"]

    def __str__(self):
        return "Group of similar points"


class AnchorCheck(models.Model):
    """A point whose quoted passage changed in a new version: where its anchor moved, and
    whether its author says it still applies (keep), no longer applies (withdraw) or re-aims it."""

    class Decision(models.TextChoices):
        PENDING = "", "Awaiting the author"
        KEEP = "keep", "Still applies"
        WITHDRAW = "withdraw", "No longer applies"
        REAIM = "reaim", "Re-aimed by its author"

    point = models.ForeignKey(
        "strategy.Point", on_delete=models.CASCADE, related_name="anchor_checks"
    )
    version = models.ForeignKey("strategy.Version", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_section_key = models.CharField(max_length=80, blank=True)
    from_quote = models.CharField(max_length=500)
    to_section_key = models.CharField(max_length=80, blank=True)
    to_quote = models.CharField(max_length=500, blank=True)
    score = models.FloatField(default=0)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "public_id"]
        constraints = [
            models.UniqueConstraint(fields=["point", "version"], name="anchor_check_once"),
        ]

    def __str__(self):
        return "Anchor check"


class SecondRound(models.Model):
    """A short window after publishing vN+1, limited to the sections that changed, in which the
    authors of answered points say whether the answer satisfies them. Sealed until it closes."""

    version = models.OneToOneField(
        "strategy.Version", on_delete=models.CASCADE, related_name="second_round"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    section_keys = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="second_round_ends_after_start",
            ),
        ]

    def __str__(self):
        return "Second round"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class AnswerVerdict(models.Model):
    """An author's "agree" or "still object" on the answer to their point. No author is stored:
    only the point's author may write it (by name or receipt), once, and the time is the round's
    opening, so nothing ties an anonymous point to a person."""

    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree"
        OBJECT = "object", "Still object"

    round = models.ForeignKey(SecondRound, on_delete=models.CASCADE, related_name="verdicts")
    point = models.ForeignKey("strategy.Point", on_delete=models.CASCADE, related_name="verdicts")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    line = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "point"], name="verdict_once_per_point"),
        ]

    def __str__(self):
        return "Verdict"
