"""Where an event is defined or sent: file and line in a team's repository, recorded by
`productops-events sync`. Kept in its own module; models.py imports it so Django sees it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from productops.accounts.models import Team


class EventLocation(models.Model):
    class Kind(models.TextChoices):
        CODE = "code", "Tracking call in code"
        DEFINITIONS = "definitions", "Definitions file (events.yml)"

    event = models.ForeignKey("telemetry.Event", on_delete=models.CASCADE, related_name="locations")
    # The team whose repository this is (the one that ran sync), not necessarily the owner.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    path = models.CharField(max_length=500)
    line = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(default=timezone.now)
    synced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["path", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "team", "kind", "path", "line"], name="tele_location_unique"
            )
        ]
        indexes = [models.Index(fields=["team", "kind"], name="tele_location_team_kind")]

    def __str__(self):
        return f"{self.path}:{self.line}"
