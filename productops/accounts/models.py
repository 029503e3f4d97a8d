import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a known time zone; pick one like Europe/Berlin or America/New_York.",
            params={"value": value},
        )


class User(AbstractUser):
    class NotificationPreference(models.TextChoices):
        IMMEDIATE = "immediate", "Email me immediately"
        DIGEST = "digest", "One daily digest email"

    display_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField("email address", blank=True, db_index=True)
    # A new address waits here until its owner confirms it from that inbox (email_change.py).
    pending_email = models.EmailField("new email address, not yet confirmed", blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    notification_preference = models.CharField(
        max_length=12,
        choices=NotificationPreference.choices,
        default=NotificationPreference.IMMEDIATE,
    )
    # Organisation roles the apps check; a person may hold several.
    is_productops_admin = models.BooleanField("ProductOps admin", default=False)
    is_leadership = models.BooleanField("leadership", default=False)
    is_researcher = models.BooleanField("researcher", default=False)

    objects = UserManager()

    class Meta:
        ordering = ["display_name", "username"]

    def __str__(self):
        return self.name

    # What `name` reads: a query that prints people's names loads only these (`name_columns`).
    NAME_FIELDS = ("display_name", "first_name", "last_name", "username")

    @classmethod
    def name_columns(cls, relation: str) -> tuple[str, ...]:
        """`relation`'s name fields for QuerySet.only(): name_columns("owner") -> owner__…"""
        return tuple(f"{relation}__{field}" for field in cls.NAME_FIELDS)

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_productops_admin:
            labels.append("ProductOps admin")
        if self.is_leadership:
            labels.append("Leadership")
        if self.is_researcher:
            labels.append("Researcher")
        return labels

    def is_member_of(self, team: "Team") -> bool:
        return self.memberships.filter(team=team).exists()

    def leads(self, team: "Team") -> bool:
        return self.memberships.filter(team=team, role=Membership.Role.LEAD).exists()


class TeamQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(memberships__user=user)

    def with_member_count(self):
        # A subquery, not Count("memberships"): for_user() already joins memberships and
        # would make every team count only the one person asking.
        counts = (
            Membership.objects.filter(team=models.OuterRef("pk"))
            .order_by()
            .values("team")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(member_count=Coalesce(models.Subquery(counts), 0))


class Team(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    mission = models.TextField(blank=True, max_length=2000)
    product_area = models.CharField(max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:team_detail", args=[self.slug])


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]
        ordering = ["team__name", "user__display_name"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    PREFIX = "pop_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    # Only a hash is stored: a leaked database does not leak working tokens.
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        constraints = [
            # Two requests creating "ci" at once must not leave two active tokens named alike.
            models.UniqueConstraint(
                "user",
                Lower("name"),
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_token_per_name",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The same key never reaches the same person twice (unique constraint below).
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=5000)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_key_once_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "created_at"]),
        ]

    def __str__(self):
        return self.title


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, db_index=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True, max_length=4000)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.actor} {self.action} {self.target_label}"
