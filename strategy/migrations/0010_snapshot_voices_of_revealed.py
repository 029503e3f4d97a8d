from django.db import migrations
from django.db.models import Count

K = 3  # strategy.anonymity.K when this migration was written


def snapshot(apps, schema_editor):
    """Strategies revealed before snapshots existed: fix their voices now, as well as can be known."""
    Strategy = apps.get_model("strategy", "Strategy")
    Participation = apps.get_model("strategy", "Participation")
    TeamVoices = apps.get_model("strategy", "TeamVoices")
    revealed = Strategy.objects.filter(
        phase__in=["reveal", "decision", "final", "archived"], pooled_voices__isnull=True
    )
    for strategy in revealed:
        team_ids = list(strategy.audience_teams.values_list("pk", flat=True))
        rows = (
            Participation.objects.filter(
                strategy=strategy, user__memberships__team_id__in=team_ids
            )
            .values("user__memberships__team_id")
            .annotate(n=Count("user_id", distinct=True))
            .order_by()
        )
        voices = {r["user__memberships__team_id"]: r["n"] for r in rows}
        TeamVoices.objects.bulk_create(
            [TeamVoices(strategy=strategy, team_id=t, voices=voices.get(t, 0)) for t in team_ids],
            ignore_conflicts=True,
        )
        small = [t for t in team_ids if voices.get(t, 0) < K]
        pool = (
            Participation.objects.filter(strategy=strategy, user__memberships__team_id__in=small)
            .values("user_id")
            .distinct()
            .count()
            if small
            else 0
        )
        Strategy.objects.filter(pk=strategy.pk).update(pooled_voices=pool)


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0009_anonymous_receipts"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(snapshot, migrations.RunPython.noop)]
