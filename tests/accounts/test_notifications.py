import pytest
from django.core import mail
from django.urls import reverse

from productops.accounts import services, tasks
from productops.accounts.models import Notification

pytestmark = pytest.mark.django_db


def test_the_same_key_never_reaches_the_same_person_twice(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = services.notify(
            recipients=[world.member, world.teammate], key="k1", title="Window open"
        )
    with django_capture_on_commit_callbacks() as queued_again:
        second = services.notify(
            recipients=[world.member, world.teammate], key="k1", title="Window open"
        )
    assert (first, second) == (2, 0)
    assert (len(queued), len(queued_again)) == (1, 0)  # one email task, queued after commit
    assert Notification.objects.filter(key="k1").count() == 2
    tasks.send_notification_emails(list(Notification.objects.values_list("pk", flat=True)))
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "teammate@example.com"]


def test_emails_are_sent_once_even_if_the_task_runs_twice(world):
    services.notify(recipients=[world.member], key="k2", title="Feedback revealed")
    ids = list(Notification.objects.values_list("pk", flat=True))
    tasks.send_notification_emails(ids)
    tasks.send_notification_emails(ids)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[ProductOps] Feedback revealed"


def test_digest_readers_get_one_daily_email(world, django_capture_on_commit_callbacks):
    world.member.notification_preference = "digest"
    world.member.save(update_fields=["notification_preference"])
    with django_capture_on_commit_callbacks() as queued:
        services.notify(
            recipients=[world.member], key="a", title="New version published", url="/strategy/1/"
        )
        services.notify(recipients=[world.member], key="b", title="Your point got a disposition")
    assert queued == []  # nothing is emailed immediately to digest readers
    assert tasks.send_daily_digests() == 2
    assert tasks.send_daily_digests() == 0
    assert len(mail.outbox) == 1
    assert "2 updates" in mail.outbox[0].subject
    assert "New version published" in mail.outbox[0].body
    assert "Your point got a disposition" in mail.outbox[0].body


def test_inbox_and_unread_count(world, client_for):
    services.notify(recipients=[world.member], key="x", title="Read me")
    client = client_for(world.member)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1' in home
    notification = Notification.objects.get()
    client.post(reverse("accounts:notification_read", args=[notification.pk]))
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_nobody_reads_someone_elses_notification(world, client_for, api_for):
    services.notify(recipients=[world.member], key="x", title="Private")
    notification = Notification.objects.get()
    assert (
        client_for(world.outsider)
        .post(reverse("accounts:notification_read", args=[notification.pk]))
        .status_code
        == 404
    )
    assert (
        api_for(world.outsider)
        .post(reverse("api:notification-read", args=[notification.pk]))
        .status_code
        == 404
    )
    assert api_for(world.outsider).get(reverse("api:notification-list")).json()["count"] == 0
    notification.refresh_from_db()
    assert notification.read_at is None


def test_inbox_page_has_constant_queries(world, client_for, django_assert_max_num_queries):
    for i in range(40):
        services.notify(recipients=[world.member], key=f"n{i}", title=f"Update {i}")
    client = client_for(world.member)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:notifications")).status_code == 200
