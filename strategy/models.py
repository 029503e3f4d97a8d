import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from productops.reversing import url_with_id
from strategy import phases, relations, rendering
from strategy.voting import DEFAULT_BUDGET

PART_MAX = 40_000

# The template that asks for substance, not a pitch: (field, heading, what to write).
TEMPLATE_PARTS = [
    ("diagnosis", "Diagnosis", "The challenge: what is going on and why it matters now."),
    (
        "guiding_policy",
        "Guiding policy",
        "How we will tackle the challenge; what we will and will not do.",
    ),
    ("bets", "Bets and what we give up", "The bets we make and what we stop doing to afford them."),
    (
        "options",
        "Options considered",
        "The options we weighed, the status quo among them, and why we chose.",
    ),
    (
        "assumptions",
        "What would have to be true",
        "The assumptions this rests on, and how we would know they are wrong.",
    ),
]


# A strategy's pages, linked from its header on every one of them (reversed once per process,
# see productops.reversing).
PAGES = (
    "detail",
    "edit",
    "publish",
    "feedback",
    "discussion",
    "dashboard",
    "diff",
    "you_said_we_did",
    "assumptions",
    "disagreement",
    "sessions",
    "decision",
)


class StrategyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Strategies a person may open: owners and delegates always; once open, the audience and leadership."""
        if not user.is_authenticated:
            return self.none()
        # EXISTS, not joins: no duplicate rows, so no DISTINCT (strategy/relations.py).
        mine = Q(owner=user) | Q(relations.is_delegate(user))
        if user.is_leadership or user.is_productops_admin:
            return self.filter(mine | ~Q(phase=phases.DRAFT))
        audience = Q(relations.is_audience(user)) & ~Q(phase=phases.DRAFT)
        return self.filter(mine | audience)


class Strategy(models.Model):
    class Phase(models.TextChoices):
        DRAFT = phases.DRAFT, phases.LABELS[phases.DRAFT]
        FEEDBACK = phases.FEEDBACK, phases.LABELS[phases.FEEDBACK]
        REVEAL = phases.REVEAL, phases.LABELS[phases.REVEAL]
        DECISION = phases.DECISION, phases.LABELS[phases.DECISION]
        FINAL = phases.FINAL, phases.LABELS[phases.FINAL]
        ARCHIVED = phases.ARCHIVED, phases.LABELS[phases.ARCHIVED]

    title = models.CharField(max_length=160)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="strategies_owned"
    )
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="strategies_delegated"
    )
    audience_teams = models.ManyToManyField("accounts.Team", related_name="strategies")
    phase = models.CharField(
        max_length=12, choices=Phase.choices, default=Phase.DRAFT, db_index=True
    )

    diagnosis = models.TextField(blank=True, max_length=PART_MAX)
    guiding_policy = models.TextField(blank=True, max_length=PART_MAX)
    bets = models.TextField(blank=True, max_length=PART_MAX)
    options = models.TextField(blank=True, max_length=PART_MAX)
    assumptions = models.TextField(blank=True, max_length=PART_MAX)
    body = models.TextField("further detail", blank=True, max_length=rendering.MAX_BODY_CHARS)
    context_links = models.TextField(blank=True, max_length=4000, help_text="One link per line.")

    vote_budget = models.PositiveSmallIntegerField(default=DEFAULT_BUDGET)
    feedback_opens_at = models.DateTimeField(null=True, blank=True)
    feedback_closes_at = models.DateTimeField(null=True, blank=True)
    decision_due = models.DateField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    # Distinct people who answered from teams below the k floor, fixed when the window closes.
    pooled_voices = models.PositiveIntegerField(null=True, blank=True)
    # Set when the window closes; tallies stay hidden from everyone until this passes.
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set by whichever worker claims the one "closes soon" reminder.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_closes_at__isnull=True)
                | Q(feedback_closes_at__gt=models.F("feedback_opens_at")),
                name="strategy_window_ends_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(vote_budget__gte=1) & Q(vote_budget__lte=20),
                name="strategy_vote_budget_range",
            ),
        ]
        indexes = [models.Index(fields=["phase", "feedback_closes_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.page_urls["detail"]

    @cached_property
    def page_urls(self) -> dict[str, str]:
        """URL name (one of PAGES) -> this strategy's page: what {% url 'strategy:<name>' pk %} gives."""
        return {name: url_with_id(f"strategy:{name}")(self.pk) for name in PAGES}

    @property
    def phase_label(self) -> str:
        return phases.LABELS[self.phase]

    def missing_parts(self) -> list[tuple[str, str]]:
        return [
            (name, heading)
            for name, heading, _ in TEMPLATE_PARTS
            if not getattr(self, name).strip()
        ]

    def window_open(self, now=None) -> bool:
        return phases.window_is_open(
            self.phase, self.feedback_opens_at, self.feedback_closes_at, now or timezone.now()
        )

    def voting_open(self, now=None) -> bool:
        return phases.voting_is_open(self.phase, self.voting_closes_at, now or timezone.now())

    def tallies_visible(self, now=None) -> bool:
        return phases.tallies_visible(self.phase, self.voting_closes_at, now or timezone.now())

    @property
    def is_revealed(self) -> bool:
        return phases.is_revealed(self.phase)

    @property
    def links(self) -> list[str]:
        return [
            line.strip()
            for line in self.context_links.splitlines()
            if line.strip().startswith(("http://", "https://"))
        ]


def _attachment_path(instance, filename):
    return f"strategy/{instance.strategy_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A supporting document. Served only through a view that checks who may see the strategy."""

    MAX_BYTES = 10 * 1024 * 1024
    EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "csv", "xlsx", "txt", "md")

    strategy = models.ForeignKey("Strategy", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # None while it sits in the working copy; publishing a version releases it with that version,
    # so readers never find a document changed under them without a new version and its notice.
    version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:attachment", args=[self.strategy_id, self.pk])

    @property
    def is_published(self) -> bool:
        return self.version_id is not None


class Version(models.Model):
    """A published, immutable snapshot. Corrections come as a new version, never an edit."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    change_summary = models.TextField(max_length=2000)
    body = models.TextField(max_length=rendering.MAX_BODY_CHARS * 2)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self):
        return f"{self.strategy} v{self.number}"

    def save(self, *args, **kwargs):
        # Published text is evidence of what people read and answered: never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(
                "A published version cannot be changed; publish a new version instead."
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("strategy:detail", args=[self.strategy_id]) + f"?v={self.number}"


class Section(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=80)
    heading = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(default=2)
    position = models.PositiveIntegerField()
    markdown = models.TextField()
    html = models.TextField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="section_key_unique_per_version"
            ),
            models.UniqueConstraint(
                fields=["version", "position"], name="section_position_unique_per_version"
            ),
        ]

    def __str__(self):
        return self.heading or "Introduction"

    @property
    def title(self) -> str:
        return self.heading or "Introduction"


class ReadReceipt(models.Model):
    """That a person has seen a section of a version. section_key "" records opening the version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="read_receipts")
    section_key = models.CharField(max_length=80, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version", "section_key"], name="read_receipt_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} read {self.section_key or '(opened)'} of version {self.version_id}"


class ReadConfirmation(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="read_confirmations"
    )
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    summary = models.CharField("the core bet, in one line", max_length=280)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "user"], name="read_confirmation_once")
        ]

    # Never the summary: a name shows in admin, logs and dropdowns, where the pages' rules do not reach.
    def __str__(self):
        return "Read confirmation"


class Participation(models.Model):
    """That someone answered, with no link to what they wrote: it counts a team's voices for anonymity.

    No timestamp and a random key: neither the order of rows nor a clock ties it to an anonymous point.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["strategy", "user"], name="participation_once")
        ]

    def __str__(self):
        return f"{self.user_id} answered on {self.strategy_id}"


class TeamVoices(models.Model):
    """How many of a team's people had answered when the window closed: the k floor from then on.

    Counts only, no people: membership changes after the close change nothing.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="team_voices")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    voices = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "team voices"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "team"], name="team_voices_once"),
        ]

    def __str__(self):
        return f"{self.voices} voices"


class PointQuerySet(models.QuerySet):
    def counts_by_section_and_type(self):
        return self.values("section_key", "type").annotate(n=Count("id")).order_by()


class Point(models.Model):
    """A piece of feedback, or a team's alternative: both get replies, votes and a disposition."""

    class Type(models.TextChoices):
        QUESTION = "question", "Question"
        CONCERN = "concern", "Concern"
        PUSHBACK = "pushback", "Pushback"
        RISK = "risk", "Risk"
        IDEA = "idea", "Idea"
        SUPPORT = "support", "Support"
        ALTERNATIVE = "alternative", "Alternative"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="points")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="points")
    section_key = models.CharField(max_length=80, blank=True)
    quote = models.CharField(max_length=500, blank=True)
    type = models.CharField(max_length=12, choices=Type.choices, db_index=True)
    body = models.TextField(max_length=4000)
    rationale = models.TextField(blank=True, max_length=4000)
    cost = models.TextField("what it would cost", blank=True, max_length=2000)
    confidence = models.CharField(max_length=8, choices=Confidence.choices, blank=True)
    # Anonymous points keep no author at all: not even an admin can tell who wrote them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of_team = models.BooleanField(default=False)
    is_anonymous = models.BooleanField(default=False)
    is_clarifying = models.BooleanField(default=False)
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # What pages, anchors, forms and the API call a point: random, so it says nothing of when it was
    # written or whose named points it sits between. The database key never leaves the server.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Anonymous points only: a keyed hash of (author, public id) that lets the author, and nobody
    # else, find the point again (strategy/receipts.py). Never shown anywhere.
    receipt = models.CharField(max_length=64, blank=True, editable=False)
    # A critique may aim at an assumption rather than at the author.
    assumption = models.ForeignKey(
        "strategy.Assumption",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points",
    )
    # Similar points are answered once; a point the owner split out is never grouped again.
    group = models.ForeignKey(
        "strategy.PointGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points",
    )
    kept_apart = models.BooleanField(default=False)

    objects = PointQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "public_id"]
        indexes = [models.Index(fields=["strategy", "section_key"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True),
                name="point_anonymous_has_no_author",
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(team__isnull=False),
                name="point_anonymous_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(type__in=["pushback", "concern", "alternative"]) | ~Q(rationale=""),
                name="point_rationale_for_pushback_concern_alternative",
            ),
            models.CheckConstraint(
                condition=Q(is_clarifying=False) | Q(type="question"),
                name="point_only_questions_clarify",
            ),
        ]

    # Never the text: a name shows in admin checkboxes, dropdowns and logs, where the seal does not reach.
    def __str__(self):
        return f"{self.get_type_display()} point"

    @property
    def is_alternative(self) -> bool:
        return self.type == self.Type.ALTERNATIVE

    @property
    def must_answer(self) -> bool:
        return self.type in phases.MUST_ANSWER_TYPES

    @property
    def voice(self) -> str:
        if self.is_anonymous:
            # Only a caller that checked the k floor (feedback.label_voices) may name the team.
            if getattr(self, "anon_team_shown", False) and self.team:
                return f"Anonymous, {self.team}"
            return "Anonymous, across teams"
        if self.on_behalf_of_team and self.team:
            return f"{self.team} (via {self.author})" if self.author else str(self.team)
        return str(self.author) if self.author else "Former colleague"


class Reply(models.Model):
    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["created_at", "public_id"]
        verbose_name_plural = "replies"

    def __str__(self):
        return "Reply"  # never the text, as for Point


class VoteBudget(models.Model):
    """Dots a person has spent on one strategy; the check constraint is the last word on overspending."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    budget = models.PositiveSmallIntegerField()
    spent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["strategy", "user"], name="vote_budget_once"),
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("budget")), name="vote_budget_not_overspent"
            ),
        ]

    def __str__(self):
        return f"{self.spent}/{self.budget}"


class Vote(models.Model):
    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["point", "user"], name="one_vote_per_point")]

    def __str__(self):
        return "Dot vote"  # not which point: a person's dots are theirs alone


class Disposition(models.Model):
    class Status(models.TextChoices):
        ADOPTED = "adopted", "Adopted as written"
        ADAPTED = "adapted", "Adapted"
        DECLINED = "declined", "Declined"
        PARKED = "parked", "Parked"

    point = models.OneToOneField(Point, on_delete=models.CASCADE, related_name="disposition")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True, max_length=4000)
    section_key = models.CharField("where the next version changed", max_length=80, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The service asks for a sentence; the database at least refuses silence.
            models.CheckConstraint(
                condition=Q(status="adopted") | ~Q(reason=""),
                name="disposition_has_reason_unless_adopted",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.point}"


# Reviews: assumptions, sessions and decision records live in their own module.
from strategy.review_models import (  # noqa: E402, F401
    AgendaItem,
    AnchorCheck,
    AnswerVerdict,
    Assumption,
    Commitment,
    ConfidenceRating,
    DecisionRecord,
    PointGroup,
    Position,
    QuestionVote,
    ReviewSession,
    SecondRound,
    SessionQuestion,
)
