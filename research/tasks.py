from celery import group, shared_task
from django.db import transaction

from research import eligibility, import_jobs, nightly


def fan_out(run) -> int:
    """Queue one task per chunk of a claimed run, after commit; returns how many."""
    if run is None:
        return 0
    chunk_ids = list(run.chunks.values_list("pk", flat=True))
    if not chunk_ids:
        nightly.panel_refresh_finish(run=run)
        return 0
    transaction.on_commit(
        lambda: group(refresh_panel_chunk.si(pk) for pk in chunk_ids).apply_async()
    )
    return len(chunk_ids)


@shared_task
def refresh_panel() -> int:
    """Nightly: claim tonight's run and hand its chunks to the workers (the last one finishes it)."""
    return fan_out(nightly.panel_refresh_start())


@shared_task
def reevaluate_panel() -> int:
    """After a rules edit: the whole panel under the new rules, even if tonight's run is done."""
    return fan_out(nightly.panel_refresh_start(nightly=False))


@shared_task
def refresh_panel_chunk(chunk_id: int) -> bool:
    """One slice of a panel refresh; safe to run twice. True when it finished the run."""
    return nightly.panel_chunk_refresh(chunk_id=chunk_id) is not None


@shared_task
def refresh_participants(participant_ids: list[int]) -> int:
    return eligibility.refresh_participants(ids=participant_ids)


# A panel file of the maximum size (research/importing.py) takes about a minute; the project's
# two-minute default would be too tight on a busy worker.
@shared_task(soft_time_limit=900, time_limit=960)
def run_import(batch_id: int, check_only: bool = False) -> str:
    """One queued panel import (or dry run); a second delivery of the same job does nothing."""
    batch = import_jobs.import_run(batch_id=batch_id, check_only=check_only)
    return batch.status if batch else "not queued"


@shared_task
def sweep_import_files() -> int:
    """Delete uploaded panel files (personal data) older than a day."""
    return import_jobs.files_sweep()


@shared_task
def send_session_reminders() -> int:
    """Due 24 h / 1 h reminders; each row is claimed before sending, so overlap is harmless."""
    from research import reminders

    return reminders.reminders_sweep()


@shared_task
def expire_invitations() -> int:
    """Invitations past their time free their place (and may invite a standby)."""
    from research import invitations

    return invitations.invitations_expire()


@shared_task
def ask_for_session_outcomes() -> int:
    """The day after a session without completed/no-show, its researcher is asked."""
    from research import outcomes

    return outcomes.researchers_nudge()
