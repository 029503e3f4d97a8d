from celery import shared_task

from telemetry import linting
from telemetry.health import health_snapshots_take


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def relint_events(team_id: int | None = None) -> int:
    """After the convention or a team's words change, every affected event gets a fresh verdict.

    Re-linting only rewrites each event's lint fields, so running it twice is harmless.
    """
    return linting.events_relint(team_id=team_id)


@shared_task
def take_naming_health_snapshots() -> int:
    """One row per team per day; a second run the same day refreshes the same rows."""
    return health_snapshots_take()
