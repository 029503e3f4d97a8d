"""Django admin is for ProductOps admins, writes every change to the audit log, and forges nothing."""

import pytest
from axes.models import AccessLog
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule

from productops.accounts.models import ApiToken, AuditEntry, Membership, Notification, Team
from productops.accounts.services import audit_record, notify, token_create
from tests.admin_pages import assert_history
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(world):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    return world.admin


def admin_entries(action):
    return AuditEntry.objects.filter(action=action).order_by("id")


def test_staff_status_alone_does_not_open_django_admin(client_for, db):
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    response = client_for(staff).get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_adding_changing_and_deleting_in_admin_reach_the_audit_log(world, client_for, superadmin):
    client = client_for(superadmin)
    response = client.post(
        reverse("admin:accounts_team_add"),
        {
            "name": "Growth",
            "slug": "growth",
            "mission": "",
            "product_area": "Commerce",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": world.outsider.pk,
            "memberships-0-role": "lead",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(slug="growth")
    membership = Membership.objects.get(team=team)
    added = admin_entries("admin.added").get()
    assert added.actor == superadmin
    assert (added.target_type, added.target_id) == ("accounts.team", str(team.pk))
    assert added.data["via"] == "django-admin"

    response = client.post(
        reverse("admin:accounts_team_change", args=[team.pk]),
        {
            "name": "Growth and Retention",
            "slug": "growth",
            "mission": "",
            "product_area": "Lifecycle",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-team": team.pk,
            "memberships-0-user": world.outsider.pk,
            "memberships-0-role": "lead",
            "memberships-0-DELETE": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = admin_entries("admin.changed").get()
    assert changed.actor == superadmin and changed.target_label == "Growth and Retention"
    # What changed, by field and related object; never the new values.
    assert {"changed": {"fields": ["Name", "Product area"]}} in changed.data["changes"]
    assert any(
        "deleted" in change and change["deleted"]["name"] == "membership"
        for change in changed.data["changes"]
    )
    assert "Lifecycle" not in str(changed.data)
    # The portal's audit log page says what changed, in the words of Django's own history.
    log_page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "Changed Name and Product area." in log_page

    # A bulk delete from a list is audited per object, before the rows go.
    schedules = [
        IntervalSchedule.objects.create(every=5, period="days"),
        IntervalSchedule.objects.create(every=9, period="hours"),
    ]
    response = client.post(
        reverse("admin:django_celery_beat_intervalschedule_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in schedules], "post": "yes"},
    )
    assert response.status_code == 302
    assert not IntervalSchedule.objects.exists()
    deleted = admin_entries("admin.deleted")
    assert sorted(e.target_id for e in deleted) == sorted(str(s.pk) for s in schedules)
    assert {e.actor for e in deleted} == {superadmin}
    # Third-party admin classes (django-celery-beat's, Django's own Group) are audited like ours.
    assert deleted.filter(target_type="django_celery_beat.intervalschedule").count() == 2
    response = client.post(reverse("admin:auth_group_add"), {"name": "Analysts"})
    assert response.status_code == 302
    assert admin_entries("admin.added").filter(target_type="auth.group").exists()


def test_a_password_set_in_admin_is_audited_without_the_password(world, client_for, superadmin):
    response = client_for(superadmin).post(
        reverse("admin:auth_user_password_change", args=[world.member.pk]),
        {
            "password1": "N3w-secret-pass!",
            "password2": "N3w-secret-pass!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    entry = admin_entries("admin.changed").get()
    assert entry.target_id == str(world.member.pk)
    assert "N3w-secret-pass!" not in str(entry.data) and "password" in str(entry.data).lower()


def test_the_audit_log_cannot_be_written_edited_or_deleted_in_admin(world, client_for, superadmin):
    entry = audit_record(actor=world.lead, action="team.member_removed", target=world.team)
    client = client_for(superadmin)
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    change = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"action": "nothing happened"}).status_code == 403
    delete = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:accounts_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.action == "team.member_removed"


def test_people_and_teams_are_deactivated_not_deleted(world, client_for, superadmin):
    client = client_for(superadmin)
    for url in (
        reverse("admin:accounts_user_delete", args=[world.member.pk]),
        reverse("admin:accounts_team_delete", args=[world.team.pk]),
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert world.member.__class__.objects.filter(pk=world.member.pk).exists()
    assert Team.objects.filter(pk=world.team.pk).exists()


def test_tokens_are_revoked_in_admin_never_forged_or_shown(world, client_for, superadmin):
    token, raw = token_create(user=world.member, name="ci")
    client = client_for(superadmin)
    # A hash typed in here would be a working key to someone else's account.
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert token.token_hash not in page
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="token.revoked", actor=superadmin, target_id=str(token.pk)
    ).exists()
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_admin_reads_only_their_own_notifications(world, client_for, superadmin):
    notify(
        recipients=[world.member],
        key="strategy:1:point:receipt",
        title="Your anonymous concern was declined",
    )
    notify(recipients=[superadmin], key="admin:own", title="A note for the admin")
    theirs = Notification.objects.get(recipient=world.member)
    client = client_for(superadmin)
    listing = client.get(reverse("admin:accounts_notification_changelist")).content.decode()
    assert "A note for the admin" in listing
    assert "anonymous concern" not in listing
    page = client.get(
        reverse("admin:accounts_notification_change", args=[theirs.pk]), follow=True
    ).content.decode()
    assert "anonymous concern" not in page
    assert client.get(reverse("admin:accounts_notification_add")).status_code == 403


def test_sign_in_records_are_security_history(world, client_for, superadmin):
    record = AccessLog.objects.create(
        username="member",
        ip_address="203.0.113.9",
        user_agent="curl",
        path_info="/accounts/sign-in/",
    )
    assert_history(client_for(superadmin), record, {"username": "someone-else"})
