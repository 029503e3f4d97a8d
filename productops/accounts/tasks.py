from celery import shared_task

from productops.accounts import services
from productops.accounts.models import Notification, User


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    return services.notification_emails_send(notification_ids=notification_ids)


@shared_task
def send_pending_notification_emails() -> int:
    ids = list(
        Notification.objects.filter(
            emailed_at=None,
            recipient__notification_preference=User.NotificationPreference.IMMEDIATE,
        ).values_list("pk", flat=True)[:1000]
    )
    return services.notification_emails_send(notification_ids=ids)


@shared_task
def send_daily_digests() -> int:
    users = User.objects.filter(
        is_active=True,
        notification_preference=User.NotificationPreference.DIGEST,
        notifications__emailed_at=None,
    ).distinct()
    return sum(services.digest_send(user=user) for user in users)
