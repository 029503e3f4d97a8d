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
}
