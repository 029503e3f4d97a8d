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
    # Drift compares the registry with whole UTC days of traffic, so once a night is enough;
    # 03:00 UTC is after the day closes and after the naming-health snapshots the digest quotes.
    "telemetry.refresh_drift": {
        "task": "telemetry.tasks.refresh_drift",
        "schedule": crontab(hour=3, minute=0),
    },
    # The drift digest is weekly so it stays short; Monday 06:00 UTC follows Monday's drift run
    # and lands before the European week starts.
    "telemetry.send_drift_digests": {
        "task": "telemetry.tasks.send_drift_digests",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    # Repeats are recognised for 24 hours; an hourly sweep keeps the messageId table near one
    # day of traffic (correctness does not depend on it: expired rows are taken over).
    "telemetry.sweep_seen_messages": {
        "task": "telemetry.tasks.sweep_seen_messages",
        "schedule": crontab(minute=17),
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
    # Review-session agendas go out a chosen number of hours before the start; a
    # five-minute sweep keeps "24 hours before" within minutes. Claiming sends each once.
    "strategy.send_session_agendas": {
        "task": "strategy.tasks.send_session_agendas",
        "schedule": crontab(minute="*/5"),
    },
    # The one pre-read reminder is due two hours (at most) before a session; the same
    # five-minute cadence keeps it ahead of the start.
    "strategy.send_session_reminders": {
        "task": "strategy.tasks.send_session_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # Decision records reopen on their review date (a date, not a time): an hourly
    # sweep reaches each within the hour of midnight UTC; claiming reopens each once.
    "strategy.reopen_due_decisions": {
        "task": "strategy.tasks.reopen_due_decisions",
        "schedule": crontab(minute=7),
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
