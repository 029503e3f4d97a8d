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
