from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import Team

PLATFORM_CHOICES = [
    ("web", "Web"),
    ("ios", "iOS"),
    ("android", "Android"),
    ("server", "Server"),
    ("desktop", "Desktop"),
    ("email", "Email"),
    ("partner", "Partner feed"),
]

PROPERTY_TYPES = [
    ("string", "string"),
    ("integer", "integer"),
    ("number", "number"),
    ("boolean", "boolean"),
    ("datetime", "datetime"),
    ("object", "object"),
    ("array", "array"),
]


class ConventionVersionQuerySet(models.QuerySet):
    def current(self):
        return self.order_by("-number").first()


class ConventionVersion(models.Model):
    """One published state of the organisation's naming convention; never edited, only superseded."""

    number = models.PositiveIntegerField(unique=True)
    preset = models.CharField(max_length=20)
    rules = models.JSONField(help_text="naming.Convention.to_dict()")
    note = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConventionVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Convention v{self.number} ({self.preset})"

    def convention(self):
        from telemetry import naming

        return naming.Convention.from_dict(self.rules)


class TeamVocabulary(models.Model):
    """Words a team adds for its own domain; it can only add, never loosen organisation rules."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="telemetry_vocabulary")
    actions = models.JSONField(default=dict, blank=True, help_text="base form -> past tense")
    object_words = models.JSONField(default=list, blank=True)
    # Tightening only: the team's events also need this prefix and these properties.
    prefix = models.CharField(max_length=40, blank=True)
    required_properties = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "team vocabularies"

    def __str__(self):
        return f"{self.team} vocabulary"

    def rules(self):
        from telemetry.team_rules import TeamRules

        return TeamRules(
            team=self.team.name,
            prefix=self.prefix,
            required_properties=tuple(self.required_properties or ()),
        )


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Platform(models.Model):
    code = models.CharField(max_length=20, unique=True, choices=PLATFORM_CHOICES)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()


class EventQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(team=team)

    def counted_for_health(self):
        # Deprecated events are on their way out; they do not count against a team.
        return self.exclude(status=Event.Status.DEPRECATED)

    def search(self, text: str):
        """Full-text on PostgreSQL (prefix match on every word), icontains elsewhere; an event is
        also found by any of its old names, so a search for what a dashboard still says works."""
        from django.db import connection

        text = (text or "").strip()
        if not text:
            return self
        by_alias = Q()
        for word in text.split()[:8]:
            by_alias &= Q(old_name__icontains=word)
        aliased = Q(pk__in=Alias.objects.filter(by_alias).values("event_id"))
        if connection.vendor == "postgresql":
            import re

            from django.contrib.postgres.search import SearchQuery

            words = re.findall(r"\w+", text.lower())[:8]
            if not words:
                return self.filter(aliased)
            query = SearchQuery(
                " & ".join(f"{w}:*" for w in words), search_type="raw", config="english"
            )
            return self.filter(Q(search_vector=query) | aliased)
        condition = Q()
        for word in text.split()[:8]:
            condition &= (
                Q(name__icontains=word)
                | Q(normalised_name__icontains=word)
                | Q(description__icontains=word)
            )
        return self.filter(condition | aliased)


class Event(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        DEPRECATED = "deprecated", "Deprecated"

    class LintState(models.TextChoices):
        OK = "ok", "Conforms"
        WARNINGS = "warnings", "Warnings"
        EXCEPTION = "exception", "Exception"

    name = models.CharField(max_length=200, unique=True)
    normalised_name = models.CharField(max_length=400, db_index=True, blank=True)
    description = models.TextField(blank=True, max_length=5000)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="telemetry_events")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    platforms = models.ManyToManyField(Platform, blank=True, related_name="events")
    tags = models.ManyToManyField(Tag, blank=True, related_name="events")
    example_payload = models.JSONField(default=dict, blank=True)
    used_by = models.ManyToManyField(Team, blank=True, related_name="telemetry_events_used")

    lint_state = models.CharField(max_length=12, choices=LintState.choices, default=LintState.OK)
    lint_violations = models.JSONField(default=list, blank=True)
    lint_suggestion = models.CharField(max_length=400, blank=True)
    lint_note = models.CharField(max_length=400, blank=True)
    linted_convention = models.ForeignKey(
        ConventionVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The no_lint escape hatch: a written reason, visible on the event and in the audit log.
    no_lint = models.BooleanField(default=False)
    no_lint_reason = models.TextField(blank=True, max_length=2000)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled by a PostgreSQL trigger (see migrations); NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["team", "name"], name="tele_event_team_name"),
            models.Index(fields=["status", "name"], name="tele_event_status_name"),
            models.Index(fields=["lint_state", "name"], name="tele_event_lint_name"),
            models.Index(fields=["team", "status", "lint_state"], name="tele_event_health"),
            models.Index(fields=["updated_at"], name="tele_event_updated"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("telemetry:event_detail", args=[self.pk])

    def example_payload_json(self) -> str:
        import json

        return json.dumps(self.example_payload, indent=2, ensure_ascii=False)

    def generated_example(self) -> dict:
        """A payload written from the event's current name and declared properties (prefetch
        event_properties__property to avoid a query)."""
        from telemetry.payloads import example_payload

        return example_payload(
            self.name,
            [
                {
                    "name": ep.property.name,
                    "type": ep.property.type,
                    "allowed_values": ep.property.allowed_values,
                    "pattern": ep.property.pattern,
                }
                for ep in self.event_properties.all()
            ],
        )

    def generated_example_json(self) -> str:
        import json

        return json.dumps(self.generated_example(), indent=2, ensure_ascii=False)


class Property(models.Model):
    """The shared property catalogue: `plan_type` means the same thing on every event."""

    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=10, choices=PROPERTY_TYPES, default="string")
    description = models.TextField(blank=True, max_length=2000)
    pii = models.BooleanField("contains personal data", default=False)
    allowed_values = models.JSONField(default=list, blank=True)
    pattern = models.CharField(max_length=500, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="telemetry_properties"
    )
    lint_ok = models.BooleanField(default=True)
    lint_suggestion = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "properties"
        indexes = [models.Index(fields=["type", "name"], name="tele_prop_type_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("telemetry:property_detail", args=[self.pk])

    def can_be_edited_by(self, user) -> bool:
        """Its definition is shared by every event: its team's members and ProductOps admins change it."""
        if not user.is_authenticated:
            return False
        return user.is_productops_admin or (
            self.team_id is not None and user.is_member_of(self.team)
        )


class EventProperty(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_properties")
    property = models.ForeignKey(
        Property, on_delete=models.PROTECT, related_name="event_properties"
    )
    required = models.BooleanField(default=False)
    description = models.CharField(
        max_length=1000, blank=True, help_text="What it means on this event."
    )

    class Meta:
        ordering = ["property__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "property"], name="tele_event_property_once")
        ]

    def __str__(self):
        return f"{self.event}.{self.property}"


class Alias(models.Model):
    """An earlier name of an event, kept so history and dashboards still resolve."""

    old_name = models.CharField(max_length=200, unique=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="aliases")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "aliases"

    def __str__(self):
        return f"{self.old_name} → {self.event}"


class NamingHealthSnapshot(models.Model):
    """How many of a team's live events conformed on a day, for the trend line."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="telemetry_health")
    day = models.DateField()
    total = models.PositiveIntegerField()
    conforming = models.PositiveIntegerField()
    exceptions = models.PositiveIntegerField(default=0)
    convention = models.ForeignKey(
        ConventionVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team", "day"]
        constraints = [models.UniqueConstraint(fields=["team", "day"], name="tele_health_team_day")]
        indexes = [models.Index(fields=["day"], name="tele_health_day")]

    def __str__(self):
        return f"{self.team} {self.day}: {self.conforming}/{self.total}"

    @property
    def share(self) -> float:
        return self.conforming / self.total if self.total else 1.0


class PlanImport(models.Model):
    """One uploaded tracking plan on its way into the catalogue: read once, previewed, committed.

    The file and what was read from it live here rather than in the cache, so a Celery worker can
    read a big file while the page shows its progress, and the API can report its status.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        QUEUED = "queued", "Waiting for a worker"
        READING = "reading", "Reading the file"
        READY = "ready", "Ready to preview"
        COMMIT_QUEUED = "commit_queued", "Waiting for a worker to import"
        COMMITTING = "committing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    token = models.CharField(max_length=32, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=20)
    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(null=True, blank=True)
    parsed = models.JSONField(null=True, blank=True, help_text="events and invalid rows as read")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "token"], name="tele_import_owner"),
            models.Index(fields=["updated_at"], name="tele_import_updated"),
        ]

    def __str__(self):
        return f"{self.filename} into {self.team}"

    @property
    def working(self) -> bool:
        return self.status in {
            self.Status.QUEUED,
            self.Status.READING,
            self.Status.COMMIT_QUEUED,
            self.Status.COMMITTING,
        }

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class EventMerge(models.Model):
    """A duplicate folded into another event: its name became an alias of `into`, and this row
    keeps where it came from (team, author, dates, definition) after its own row is gone."""

    into = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="merges")
    source_id = models.PositiveIntegerField(help_text="the merged event's former id")
    source_name = models.CharField(max_length=200)
    source_team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField(default=dict, help_text="the merged event as it was")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.source_name} merged into {self.into}"


class Source(models.Model):
    """Where observed events come from (a Segment source, an SDK), and the team that owns it.

    Unknown sources are created as they first send, with no team: ProductOps admins see them in
    the unassigned bucket and hand them to a team.
    """

    key = models.CharField(max_length=200, unique=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="telemetry_sources"
    )
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["team", "key"], name="tele_source_team")]

    def __str__(self):
        return self.key


class ObservedName(models.Model):
    """An event name seen in traffic, with its lint result, judged once when it first arrives."""

    name = models.CharField(max_length=200, unique=True)
    first_seen = models.DateTimeField(default=timezone.now)
    lint_ok = models.BooleanField(default=True)
    lint_violations = models.JSONField(default=list, blank=True)
    lint_suggestion = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ObservedDay(models.Model):
    """How often one name came from one source on one UTC day; the only trace of raw traffic."""

    observed = models.ForeignKey(ObservedName, on_delete=models.CASCADE, related_name="days")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["observed", "source", "day"], name="tele_observed_day_once"
            )
        ]
        indexes = [models.Index(fields=["day"], name="tele_observed_day_day")]

    def __str__(self):
        return f"{self.observed_id}@{self.source_id} {self.day}: {self.count}"


class ObservedProperty(models.Model):
    """How many events of a name carried a property key with a value of a type, per source and day."""

    observed = models.ForeignKey(ObservedName, on_delete=models.CASCADE, related_name="properties")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    key = models.CharField(max_length=200)
    type = models.CharField(max_length=10)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["observed", "source", "day", "key", "type"],
                name="tele_observed_prop_once",
            )
        ]
        indexes = [models.Index(fields=["day"], name="tele_observed_prop_day")]
        verbose_name_plural = "observed properties"

    def __str__(self):
        return f"{self.observed_id}.{self.key}:{self.type}"


class SeenMessage(models.Model):
    """A messageId counted in the last 24 hours. In the database rather than Redis so that it
    commits or rolls back with the counts it guards; an hourly sweep removes old rows.

    Stored as the MD5 of the messageId in a UUID column: a fixed 16-byte key keeps the unique
    index small and fast at ingestion rates, and collisions are out of reach.
    """

    digest = models.UUIDField(unique=True)
    # No index: the hourly sweep scans the table once, while an index would cost every insert.
    seen_at = models.DateTimeField()

    def __str__(self):
        return str(self.digest)


class DriftItem(models.Model):
    """One difference between the registry and the traffic, found by the drift job.

    Kept while it lasts (first and last found) and marked resolved when the job no longer finds it,
    so the digest can say what is new this week.
    """

    class Kind(models.TextChoices):
        UNREGISTERED = "unregistered", "Observed, not registered"
        STALE = "stale", "Registered, not seen for 30 days"
        TYPE_MISMATCH = "type_mismatch", "Property sent with another type"
        MISSING_REQUIRED = "missing_required", "Required property missing"
        NEVER_SEEN = "never_seen", "Planned, never seen"
        PLATFORM_GAP = "platform_gap", "Missing on a platform"

    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="telemetry_drift"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # What distinguishes two items of one kind on one name: a property key or a platform code.
    detail = models.CharField(max_length=200, blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="drift"
    )
    data = models.JSONField(default=dict, blank=True)
    first_found = models.DateTimeField(default=timezone.now)
    last_found = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "detail"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "detail"], name="tele_drift_once")
        ]
        indexes = [
            models.Index(fields=["team", "resolved_at", "kind"], name="tele_drift_team_open"),
            models.Index(fields=["first_found"], name="tele_drift_first_found"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} {self.detail}".strip()


# The command line records where events live in teams' repositories (telemetry/locations.py).
from telemetry.locations import EventLocation  # noqa: E402, F401
