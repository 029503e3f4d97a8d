"""The one Celery wiring file: app, configuration and every periodic schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productops.settings")

app = Celery("productops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the portal, and why it runs when it does. Times are UTC.
app.conf.beat_schedule = {
    # Digest readers get yesterday's notifications before most of the company
    # starts work (07:00 UTC is morning in Europe, night in the Americas, who
    # get theirs at the start of their next day anyway).
    "accounts.send_daily_digests": {
        "task": "productops.accounts.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Emails for "immediately" readers are queued on commit; this sweep catches
    # any whose task was lost (broker restart) without ever sending twice.
    "accounts.send_pending_notification_emails": {
        "task": "productops.accounts.tasks.send_pending_notification_emails",
        "schedule": crontab(minute="*/10"),
    },
    # Naming health is a daily trend, so one snapshot per team per night is enough;
    # 02:30 UTC is after the European day and before anyone reads the trend.
    "telemetry.take_naming_health_snapshots": {
        "task": "telemetry.tasks.take_naming_health_snapshots",
        "schedule": crontab(hour=2, minute=30),
    },
    # Feedback is revealed when the window's end passes; five minutes keeps the
    # wait after the deadline short without polling the database constantly.
    "strategy.close_due_windows": {
        "task": "strategy.tasks.close_due_windows",
        "schedule": crontab(minute="*/5"),
    },
    # The one "closes soon" reminder goes out 24 h before the end; a quarter-hour
    # sweep is precise enough for a day-ahead nudge. Claiming makes reruns harmless.
    "strategy.send_closing_reminders": {
        "task": "strategy.tasks.send_closing_reminders",
        "schedule": crontab(minute="*/15"),
    },
    # Fatigue windows roll by the day and CRM attributes (renewal dates, owner flags)
    # land overnight; 02:30 UTC is after the CRM push and before Europe starts work.
    "research.refresh_panel": {
        "task": "research.tasks.refresh_panel",
        "schedule": crontab(hour=2, minute=30),
    },
    # Uploaded panel files hold personal data and are deleted once imported; this catches
    # the rest (never imported, failed, abandoned) within a day of upload. Hourly, so no file
    # outlives its day by more than an hour.
    "research.sweep_import_files": {
        "task": "research.tasks.sweep_import_files",
        "schedule": crontab(minute=15),
    },
    # Session reminders are due 24 h and 1 h before; a five-minute sweep keeps the 1 h one
    # between 55 and 60 minutes ahead. Rows are claimed, so overlapping sweeps send once.
    "research.send_session_reminders": {
        "task": "research.tasks.send_session_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # Invitations expire after days; an hourly sweep frees places (and invites standbys)
    # well within the hour that matters to a study.
    "research.expire_invitations": {
        "task": "research.tasks.expire_invitations",
        "schedule": crontab(minute=40),
    },
    # Researchers are asked about outcomes the day after; 08:00 UTC is morning in Europe
    # and the start of the next day in the Americas, before anyone plans their day.
    "research.ask_for_session_outcomes": {
        "task": "research.tasks.ask_for_session_outcomes",
        "schedule": crontab(hour=8, minute=0),
    },
}
