from celery import shared_task

from research import eligibility, services


@shared_task
def refresh_panel() -> int:
    """Re-evaluate the whole panel (windows roll, attributes change) and warn ProductOps."""
    run = eligibility.panel_refresh()
    services.admins_warn_about_requests()
    return run.changed if run else 0


@shared_task
def reevaluate_panel() -> int:
    """After a rules edit: the whole panel under the new rules, even if tonight's run is done."""
    changed, _seen = eligibility.panel_reevaluate()
    return changed


@shared_task
def refresh_participants(participant_ids: list[int]) -> int:
    return eligibility.refresh_participants(ids=participant_ids)
