"""Celery tasks: take ids, load, call the service. Notifications are idempotent per (person, key)."""

from celery import shared_task

from strategy import decisions, notifications, reviews
from strategy.models import Disposition, Strategy, Version


@shared_task
def notify_version_published(version_id: int) -> int:
    version = Version.objects.select_related("strategy__owner").filter(pk=version_id).first()
    return notifications.version_published_notify(version=version) if version else 0


@shared_task
def notify_revealed(strategy_id: int) -> int:
    strategy = Strategy.objects.select_related("owner").filter(pk=strategy_id).first()
    return notifications.revealed_notify(strategy=strategy) if strategy else 0


@shared_task
def notify_disposition(disposition_id: int) -> int:
    disposition = (
        Disposition.objects.select_related("point__strategy", "point__author")
        .filter(pk=disposition_id)
        .first()
    )
    return notifications.disposition_notify(disposition=disposition) if disposition else 0


@shared_task
def close_due_windows() -> int:
    return notifications.windows_close_due()


@shared_task
def send_closing_reminders() -> int:
    return notifications.reminders_send_due()


@shared_task
def send_session_agendas() -> int:
    return reviews.agendas_send_due()


@shared_task
def send_session_reminders() -> int:
    return reviews.session_reminders_send_due()


@shared_task
def reopen_due_decisions() -> int:
    return decisions.reviews_reopen_due()
