"""Django admin in telemetry: only an event's own team changes it, and history stays as it was."""

import pytest

from productops.accounts.models import AuditEntry
from telemetry import conventions, health, naming, services
from telemetry.models import Alias, Event, NamingHealthSnapshot, TeamVocabulary
from tests.admin_pages import admin_url, assert_history, change_form_data
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(world):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    return world.admin


def event_form(event, **changes) -> dict:
    return {
        "name": event.name,
        "team": event.team_id,
        "status": event.status,
        "description": event.description,
        "example_payload": "{}",
        **changes,
    }


def test_an_admin_outside_the_team_cannot_change_or_delete_its_events(
    world, client_for, superadmin, register
):
    event = register("checkout_started")
    client = client_for(superadmin)
    assert client.get(admin_url(event, "change", event.pk)).status_code == 200
    response = client.post(
        admin_url(event, "change", event.pk), event_form(event, name="hijacked_name")
    )
    assert response.status_code == 403
    assert client.post(admin_url(event, "delete", event.pk), {"post": "yes"}).status_code == 403
    client.post(
        admin_url(Event, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event.refresh_from_db()
    assert event.name == "checkout_started"
    # New events are registered on the pages, where the linter checks the name.
    assert client.get(admin_url(Event, "add")).status_code == 403


def test_an_admin_in_the_team_changes_its_event_and_the_change_is_audited(
    world, client_for, superadmin, register
):
    MembershipFactory(user=superadmin, team=world.team)
    event = register("checkout_started")
    client = client_for(superadmin)
    # Renames happen on the event's page, which keeps the old name as an alias.
    form = client.get(admin_url(event, "change", event.pk)).context["adminform"].form
    assert "status" in form.fields and "name" not in form.fields
    data = change_form_data(client, event, status="deprecated")
    response = client.post(admin_url(event, "change", event.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.status == "deprecated"
    entry = AuditEntry.objects.get(action="admin.changed")
    assert (entry.actor, entry.target_type, entry.target_label) == (
        superadmin,
        "telemetry.event",
        "checkout_started",
    )
    assert entry.data["summary"] == "Changed Status."
    # Events are deprecated, never deleted, by their team too.
    assert client.post(admin_url(event, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_convention_versions_aliases_vocabularies_and_health_history_are_read_only(
    world, client_for, superadmin, register
):
    version = conventions.convention_publish(
        by=superadmin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
    )
    conventions.team_vocabulary_save(
        team=world.team, by=world.member, actions={"rebook": "rebooked"}, objects=["basket"]
    )
    event = register("checkout_started")
    services.event_rename(event=event, new_name="checkout_begun", by=world.member)
    health.health_snapshots_take()
    client = client_for(superadmin)
    for obj in (
        version,
        TeamVocabulary.objects.get(team=world.team),
        Alias.objects.get(old_name="checkout_started"),
        NamingHealthSnapshot.objects.filter(team=world.team).first(),
    ):
        assert obj is not None
        assert_history(client, obj, {"old_name": "forged", "total": 0, "note": "forged"})
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_a_merge_record_is_history_in_admin(world, client_for, superadmin):
    from django.urls import reverse

    from telemetry import merging
    from telemetry.models import EventMerge

    kept = services.event_register(team=world.team, name="Order Completed", by=world.member)
    copy = services.event_register(team=world.team, name="Order Complete", by=world.member)
    merging.event_merge(source=copy, into=kept, by=world.member, reason="Same event")
    merge = EventMerge.objects.get()
    client = client_for(superadmin)
    change = reverse("admin:telemetry_eventmerge_change", args=[merge.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"source_name": "Forged"}).status_code == 403
    delete = reverse("admin:telemetry_eventmerge_delete", args=[merge.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    merge.refresh_from_db()
    assert merge.source_name == "Order Complete"
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()
