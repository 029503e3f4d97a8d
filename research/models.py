import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import Team
from research import fatigue

# Segment attributes every participant has, with the values the panel accepts.
# Free-text ones (country, industry) are bounded by length only.
PLANS = ["free", "starter", "pro", "enterprise"]
REGIONS = ["EMEA", "NA", "LATAM", "APAC"]
COMPANY_SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
TENURES = ["<1y", "1-3y", "3y+"]
USAGE_LEVELS = ["low", "medium", "high"]
BUILTIN_ATTRIBUTES = {
    "plan": PLANS,
    "region": REGIONS,
    "country": None,
    "industry": None,
    "company_size": COMPANY_SIZES,
    "tenure": TENURES,
    "usage_level": USAGE_LEVELS,
    "language": None,
}


# Bit positions of fatigue rules in Participant.blocked_mask. Append only: stored masks keep their meaning.
RULE_BITS = (
    "consent",
    "opt-out",
    "do-not-contact",
    "invitation-limit",
    "invitation-cooldown",
    "session-cooldown",
    "session-limit",
    "method-session-limit",
    "account-session-cap",
    "account-minutes-cap",
    "incentive-cap",
    "no-show-exclusion",
    "renewal-quiet-period",
    "owner-flag",
)
OTHER_RULE_BIT = 30


def rule_mask(rules) -> int:
    mask = 0
    for rule in rules:
        mask |= 1 << (RULE_BITS.index(rule) if rule in RULE_BITS else OTHER_RULE_BIT)
    return mask


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA time zone; use one like Europe/Berlin.",
            params={"value": value},
        )


class AttributeDefinitionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at=None)


class AttributeDefinition(models.Model):
    """A custom participant attribute declared by ProductOps admins, usable in filters and sampling."""

    class Type(models.TextChoices):
        CHOICE = "choice", "One of a list"
        TEXT = "text", "Free text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes / no"

    name = models.SlugField(
        max_length=40, unique=True, help_text="Key used in imports and criteria."
    )
    label = models.CharField(max_length=80)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.CHOICE)
    allowed_values = models.JSONField(
        default=list, blank=True, help_text="For 'One of a list' only."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Retired attributes leave forms, filters and imports; participants keep their values.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = AttributeDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.label or self.name

    def clean(self):
        if self.name in BUILTIN_ATTRIBUTES:
            raise ValidationError({"name": f"'{self.name}' is already a built-in attribute."})
        if self.type == self.Type.CHOICE and not self.allowed_values:
            raise ValidationError(
                {"allowed_values": "List the allowed values for a 'one of a list' attribute."}
            )

    def coerce(self, value):
        """Return the stored form of a raw value, or raise ValueError saying what is wrong."""
        if value is None or value == "":
            return None
        if self.type == self.Type.NUMBER:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.name} must be a number, not '{value}'") from None
            return int(number) if number.is_integer() else number
        if self.type == self.Type.BOOLEAN:
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "y"}:
                return True
            if text in {"0", "false", "no", "n"}:
                return False
            raise ValueError(f"{self.name} must be yes or no, not '{value}'")
        text = str(value).strip()
        if self.type == self.Type.CHOICE and text not in self.allowed_values:
            raise ValueError(
                f"{self.name} must be one of {', '.join(map(str, self.allowed_values))}, not '{text}'"
            )
        return text[:200]


class Account(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    renewal_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(
        max_length=120, blank=True, help_text="Account owner as the CRM names them."
    )
    owner_flagged = models.BooleanField(
        default=False, help_text="The account owner asks not to contact them."
    )
    owner_flag_reason = models.CharField(max_length=300, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Sessions and participant-minutes in the rolling quarter at the last refresh (planned ones
    # included), kept by research/eligibility.py with the participants' state, so a dry run
    # knows each account's room under the caps without walking the ledger. Between refreshes
    # old touches only leave the window, so the figures can only overstate what is used.
    quarter_sessions = models.PositiveIntegerField(default=0, db_default=0)
    quarter_minutes = models.PositiveIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("research:account_detail", args=[self.pk])

    def fatigue_attributes(self) -> dict:
        return {
            **self.attributes,
            "renewal_date": self.renewal_date,
            "owner_flagged": self.owner_flagged,
        }


class ParticipantQuerySet(models.QuerySet):
    def eligible(self, *, at=None):
        """Eligible at `at` per the denormalised state the refresh keeps current."""
        return self.filter(next_eligible_at__lte=at or timezone.now())

    def history_of(self, pk) -> dict[str, bool]:
        """Whether this person has any ledger entry, override or suppression. Most have none:
        one plain statement answering all three costs a fraction of the ORM compiling three
        lists (or Exists() annotations) that come back empty."""
        tables = [m._meta.db_table for m in (LedgerEntry, Override, Suppression)]
        sql = "SELECT " + ", ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE participant_id = %s)" for table in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk] * len(tables))
            row = cursor.fetchone()
        return {
            name: bool(has)
            for name, has in zip(("ledger", "overrides", "suppressions"), row, strict=True)
        }

    def panel_columns(self):
        """Only what the panel list shows, as dicts: the rows are printed, never changed."""
        return self.values(
            "id",
            "name",
            "email",
            "account_id",
            "account__name",
            "plan",
            "region",
            "company_size",
            "usage_level",
            "contact_count",
            "next_eligible_at",
            "blocked_rules",
        )

    def search(self, text: str, *, with_email: bool):
        text = text.strip()
        if not text:
            return self
        q = (
            models.Q(name__icontains=text)
            | models.Q(external_id=text)
            | models.Q(account__name__icontains=text)
        )
        if with_email:
            q |= models.Q(email__iexact=text)
        return self.filter(q)


class Participant(models.Model):
    class Consent(models.TextChoices):
        GRANTED = "granted", "Granted"
        PENDING = "pending", "Not yet asked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(max_length=16, blank=True, default="en")
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.PENDING)
    consent_at = models.DateTimeField(null=True, blank=True)
    do_not_contact = models.BooleanField(default=False)
    opted_out = models.BooleanField(default=False)
    contact_block_reason = models.CharField(max_length=300, blank=True)
    plan = models.CharField(max_length=20, blank=True, db_index=True)
    region = models.CharField(max_length=20, blank=True, db_index=True)
    country = models.CharField(max_length=60, blank=True)
    industry = models.CharField(max_length=60, blank=True)
    company_size = models.CharField(max_length=20, blank=True)
    tenure = models.CharField(max_length=20, blank=True)
    usage_level = models.CharField(max_length=20, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Denormalised fatigue state, rewritten by research/eligibility.py after every ledger write
    # and nightly, so lists, dry runs and sampling never walk the ledger.
    # next_eligible_at: when eligible now, the time of the refresh; null = never (consent, opt-out).
    # Deliberately not indexed (no filter on it is selective): with none of these columns in an
    # index, and free space left in each page (fillfactor, migration 0004), the nightly rewrite
    # is a HOT update that leaves every index of the table alone.
    next_eligible_at = models.DateTimeField(null=True, blank=True)
    blocked_rules = models.JSONField(default=list, blank=True)
    # The same rules as bits (RULE_BITS), so a dry run counts each rule with integer tests in one scan.
    blocked_mask = models.PositiveIntegerField(default=0)
    contact_count = models.PositiveIntegerField(default=0)
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        # The panel lists people in this order, 50 a page: read from an index, not a sort.
        indexes = [models.Index(fields=["name", "id"], name="research_participant_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("research:participant_detail", args=[self.pk])

    def eligible_now(self, now=None) -> bool:
        return self.next_eligible_at is not None and self.next_eligible_at <= (
            now or timezone.now()
        )


class SuppressionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at=None)


class Suppression(models.Model):
    """An opt-out or a consent withdrawal: who said it, through which door, and when.

    The suppression list is the customer's word. Imports, the API and admin edits can add to it
    but never lift it (research/suppression.py; a database trigger, migration 0007, keeps the
    participant's flags set even against a raw UPDATE); only the participant can, through
    suppression.participant_opt_in.
    """

    class Kind(models.TextChoices):
        OPT_OUT = "opt_out", "Opted out"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"

    class Source(models.TextChoices):
        IMPORT = "import", "Panel import"
        API = "api", "API"
        PAGE = "page", "Participant page"
        ADMIN = "admin", "Django admin"
        PARTICIPANT = "participant", "The participant"
        DEMO = "demo", "Demo data"

    participant = models.ForeignKey(
        "Participant", on_delete=models.CASCADE, related_name="suppressions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # Set only when the participant opts back in themselves.
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind"],
                condition=Q(lifted_at=None),
                name="research_suppression_active_once",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.participant_id} · {self.at:%Y-%m-%d}"


class LedgerEntry(models.Model):
    """One touch of a customer, by any team for any reason; fatigue is judged over these."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        SESSION = "session", "Session"
        NO_SHOW = "no_show", "No-show"
        INCENTIVE = "incentive", "Incentive paid"
        OTHER = "other", "Other touch"

    class Method(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        USABILITY_TEST = "usability_test", "Usability test"
        SURVEY = "survey", "Survey"
        DIARY_STUDY = "diary_study", "Diary study"
        NPS = "nps", "NPS survey"
        CS_CALL = "cs_call", "Customer-success call"

    class Source(models.TextChoices):
        RESEARCH = "research", "Research panel"
        API = "api", "API"
        IMPORT = "import", "Import"
        DEMO = "demo", "Demo data"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ledger")
    # Copied from the participant so per-account rules read one index range.
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        "ResearchRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    at = models.DateTimeField()
    minutes = models.PositiveIntegerField(default=0)
    incentive_cents = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.RESEARCH)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The account caps read only sessions and touches with minutes of one account in
            # the past quarter: a partial index holding every column they read answers a check
            # in a big account from the index alone, not from thousands of ledger pages.
            models.Index(
                fields=["account", "at"],
                include=[
                    "participant",
                    "kind",
                    "minutes",
                    "method",
                    "incentive_cents",
                    "team",
                    "request",
                ],
                condition=Q(kind="session") | Q(minutes__gt=0),
                name="research_ledger_account_caps",
            ),
            models.Index(fields=["participant", "at"]),
            models.Index(fields=["account", "at"]),
            models.Index(fields=["kind", "at"]),
            # The ledger list (newest first) reads the first page off this index.
            models.Index(fields=["at", "id"], name="research_ledger_order"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self):
        return f"{self.get_kind_display()} · {self.participant_id} · {self.at:%Y-%m-%d}"


class FatigueRuleSetQuerySet(models.QuerySet):
    def current_rules(self) -> fatigue.Rules:
        latest = self.order_by("-version").values_list("rules", flat=True).first()
        return fatigue.Rules.from_dict(latest) if latest else fatigue.Rules()


class FatigueRuleSet(models.Model):
    """Every edit of the rules is a new version; the newest applies."""

    version = models.PositiveIntegerField(unique=True)
    rules = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FatigueRuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Fatigue rules v{self.version}"


class Override(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="overrides")
    rule = models.CharField(max_length=40)
    reason = models.TextField(max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        "ResearchRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overrides",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["participant", "expires_at"])]

    def __str__(self):
        return f"{self.rule} override for {self.participant_id}"


class ResearchRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_productops_admin:
            return self
        return self.filter(
            models.Q(team__memberships__user=user) | models.Q(researcher=user)
        ).distinct()

    def open(self):
        return self.filter(status=ResearchRequest.Status.OPEN)


class ResearchRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Method(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        USABILITY_TEST = "usability_test", "Usability test"
        SURVEY = "survey", "Survey"
        DIARY_STUDY = "diary_study", "Diary study"

    title = models.CharField(max_length=140)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="research_requests")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    goal = models.TextField(max_length=4000)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.INTERVIEW)
    session_minutes = models.PositiveIntegerField(default=45)
    participants_needed = models.PositiveIntegerField(default=8)
    # {"plan": ["pro", "enterprise"], "seats": {"min": 10}}; validated by services.criteria_clean.
    criteria = models.JSONField(default=dict, blank=True)
    dimensions = models.JSONField(default=list, blank=True)
    deadline = models.DateField()
    incentive_cents = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # Written by the nightly check: why fatigue rules are about to get in this request's way.
    risk = models.CharField(max_length=500, blank=True)
    # Last edit of who to sample or how many: a sample drawn before it is out of date.
    targeting_changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResearchRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants_needed__gte=1)
                & models.Q(participants_needed__lte=500),
                name="request_participants_between_1_and_500",
            ),
            models.CheckConstraint(
                condition=models.Q(session_minutes__gte=5) & models.Q(session_minutes__lte=480),
                name="request_session_between_5_and_480_minutes",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("research:request_detail", args=[self.pk])

    def can_be_edited_by(self, user) -> bool:
        return user.is_productops_admin or (user.is_researcher and self.researcher_id == user.pk)

    def sample_is_stale(self, sample) -> bool:
        """True when who to sample, or how many, changed after this sample was drawn."""
        return bool(
            sample and self.targeting_changed_at and sample.created_at < self.targeting_changed_at
        )


class Sample(models.Model):
    request = models.ForeignKey(ResearchRequest, on_delete=models.CASCADE, related_name="samples")
    seed = models.BigIntegerField()
    size = models.PositiveIntegerField()
    response_rate = models.FloatField()
    tvd = models.FloatField()
    psi = models.FloatField()
    # {"dimensions": [{"name", "rows": [{"value", "population", "sample", "population_share", "sample_share"}]}],
    #  "strata": [{"stratum", "population", "target", "selected", "shortfall"}]}
    makeup = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"Sample of {self.size} for {self.request}"


class SampleMember(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    standby = models.BooleanField(default=False)
    stratum = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["standby", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "participant"], name="sample_member_once"),
            models.UniqueConstraint(
                fields=["sample", "standby", "rank"], name="sample_member_rank_unique"
            ),
        ]

    def __str__(self):
        return f"{'standby' if self.standby else 'selected'} #{self.rank}"


class HoldQuerySet(models.QuerySet):
    def active(self, *, at=None):
        return self.filter(released_at=None, held_until__gt=at or timezone.now())


class Hold(models.Model):
    """A person drawn for an open request, kept from every other request until invited,
    declined, released or expired.

    One unreleased hold per person is a database constraint, so two requests drawing at once
    can never both keep the same person (research/holds.py).
    """

    class Release(models.TextChoices):
        INVITED = "invited", "Invited"
        DECLINED = "declined", "Declined"
        RELEASED = "released", "Released by the researcher"
        REDRAWN = "redrawn", "Sample redrawn"
        CLOSED = "closed", "Request closed or cancelled"
        EXPIRED = "expired", "Expired"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="holds")
    request = models.ForeignKey("ResearchRequest", on_delete=models.CASCADE, related_name="holds")
    sample = models.ForeignKey(
        "Sample", null=True, blank=True, on_delete=models.SET_NULL, related_name="holds"
    )
    created_at = models.DateTimeField(default=timezone.now)
    held_until = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=10, choices=Release.choices, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(released_at=None),
                name="research_hold_one_per_person",
            )
        ]
        indexes = [models.Index(fields=["request", "released_at"])]

    def __str__(self):
        return f"Hold on {self.participant_id} for request {self.request_id}"


class PanelRefresh(models.Model):
    """One re-evaluation of the whole panel, split into chunks that any worker may take.

    A nightly run has a day, and the unique day is the claim against double runs; a run after
    a rules edit has none.
    """

    day = models.DateField(unique=True, null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    participants = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # Past response rates by method ("" for all) and the typical days to fill a request,
    # computed once per run so a dry run need not scan a year of ledger.
    response_stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Panel refresh {self.day or self.started_at:%Y-%m-%d}"


class PanelRefreshChunk(models.Model):
    """A slice of a panel refresh: whole accounts by id range, or people without an account."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        LOOSE = "loose", "People without an account"

    run = models.ForeignKey(PanelRefresh, on_delete=models.CASCADE, related_name="chunks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    # Set by the first worker to finish the chunk, so a chunk run twice counts once.
    done_at = models.DateTimeField(null=True, blank=True)
    participants = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "low"], name="research_chunk_once")
        ]

    def __str__(self):
        return f"{self.run}: {self.kind} {self.low}–{self.high}"


class ImportBatch(models.Model):
    """An uploaded panel file between upload, column mapping, dry run and commit."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        CHECKED = "checked", "Checked"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=200)
    # Emptied once the file is deleted (after its import, or by the daily sweep): it holds
    # personal data and is kept no longer than needed.
    stored_path = models.CharField(max_length=400, blank=True)
    sheet = models.CharField(max_length=100, blank=True, help_text="The XLSX worksheet read.")
    # Where the import job is; the page polls it (research/import_jobs.py).
    progress = models.FloatField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


# Scheduling lives in its own module to keep this one short; Django finds the models here.
from research.scheduling_models import (  # noqa: E402
    Availability,
    Booking,
    Invitation,
    ParticipantPreference,
    Reminder,
    SchedulingSettings,
)

__all__ = [
    "Availability",
    "Booking",
    "Invitation",
    "ParticipantPreference",
    "Reminder",
    "SchedulingSettings",
]
