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


@shared_task
def run_plan_import(job_id: int) -> str:
    """Read a big uploaded tracking plan, or commit it once previewed, while its page shows progress.

    Each stage claims the job with a conditional update, so a retry or a second worker does
    nothing twice.
    """
    from telemetry import plan_import
    from telemetry.models import PlanImport

    if PlanImport.objects.filter(pk=job_id, status=PlanImport.Status.QUEUED).update(
        status=PlanImport.Status.READING
    ):
        job = PlanImport.objects.select_related("team", "created_by").get(pk=job_id)
        return plan_import.plan_import_read(job=job).status
    if PlanImport.objects.filter(pk=job_id, status=PlanImport.Status.COMMIT_QUEUED).update(
        status=PlanImport.Status.COMMITTING
    ):
        job = PlanImport.objects.select_related("team", "created_by").get(pk=job_id)
        return plan_import.plan_import_commit(job=job).status
    job = PlanImport.objects.filter(pk=job_id).only("status").first()
    return job.status if job else "missing"


@shared_task
def refresh_drift() -> dict:
    """Compare the registry with the last 90 days of traffic; rerunning refreshes the same items.

    Counts older than the kept history are dropped first, in the same nightly pass."""
    from telemetry.drift_job import drift_refresh
    from telemetry.observed import observed_history_prune

    observed_history_prune()
    return drift_refresh()


@shared_task
def send_drift_digests() -> int:
    """One digest per team and ISO week; the notification key makes a rerun send nothing."""
    from telemetry.digest import drift_digests_send

    return drift_digests_send()


@shared_task
def sweep_seen_messages() -> int:
    """Forget messageIds past the 24-hour dedupe window."""
    from telemetry.observed import seen_messages_sweep

    return seen_messages_sweep()
