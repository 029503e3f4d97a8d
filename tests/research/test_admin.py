"""Django admin in research: the ledger, overrides, samples, rules and requests are not rewritten there."""

import pytest

from productops.accounts.models import AuditEntry
from research import fatigue, services, suppression, targeting
from research.models import Hold, Override, Participant, ResearchRequest, Suppression
from tests.admin_pages import admin_url, assert_history, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(world):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    return world.admin


def test_ledger_overrides_samples_rules_and_requests_are_read_only_in_admin(
    panel, world, client_for, superadmin, research_request
):
    person = panel.people[30]
    entry = services.ledger_record(
        participant=person, kind="invitation", team=world.team, by=world.researcher
    )
    override = services.override_grant(
        participant=person,
        rule="invitation-cooldown",
        reason="Follow-up on her checkout bug report from last week",
        by=world.researcher,
        request=research_request,
    )
    sample = targeting.sample_draw(request=research_request, by=world.researcher, seed=9)
    rules = services.rules_update(
        rules=fatigue.Rules(account_max_minutes_per_quarter=100), by=superadmin
    )
    client = client_for(superadmin)
    for obj in (entry, override, sample, rules, research_request):
        assert_history(
            client,
            obj,
            {"kind": "session", "rule": "consent", "size": 1, "note": "x", "title": "Forged"},
        )
    # An override "by" a researcher who never made it cannot be added either.
    response = client.post(
        admin_url(Override, "add"),
        {
            "participant": person.pk,
            "rule": "invitation-cooldown",
            "reason": "Because I say so",
            "by": world.researcher.pk,
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    assert Override.objects.count() == 1
    assert not ResearchRequest.objects.exclude(pk=research_request.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_deleting_a_participant_in_admin_cannot_take_their_ledger_with_it(
    panel, world, client_for, superadmin
):
    person = panel.people[31]
    services.ledger_record(participant=person, kind="session", minutes=45, team=world.team)
    client = client_for(superadmin)
    page = client.get(admin_url(person, "delete", person.pk)).content.decode()
    assert "permission to delete the following types of objects" in page and "ledger entry" in page
    assert client.post(admin_url(person, "delete", person.pk), {"post": "yes"}).status_code == 403
    assert Participant.objects.filter(pk=person.pk).exists() and person.ledger.count() == 1


def test_a_change_to_a_participant_in_admin_is_audited_by_field(
    panel, world, client_for, superadmin
):
    person = panel.people[32]
    client = client_for(superadmin)
    form = client.get(admin_url(person, "change", person.pk)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "account": person.account_id,
            "attributes": "{}",
            "initial-attributes": "{}",
            "do_not_contact": "on",
        },
    )
    response = client.post(admin_url(person, "change", person.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="admin.changed")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        superadmin,
        "research.participant",
        str(person.pk),
    )
    assert {"changed": {"fields": ["Do not contact"]}} in entry.data["changes"]
    # It takes effect at once, not at the nightly refresh: no sample drawn meanwhile picks them.
    person.refresh_from_db()
    assert not person.eligible_now() and "do-not-contact" in person.blocked_rules


def test_an_opt_out_is_never_lifted_in_admin_and_suppressions_and_holds_are_history(
    panel, world, client_for, superadmin, research_request
):
    person = panel.people[33]
    record = suppression.participant_opt_out(
        participant=person, by=world.researcher, reason="Asked on the phone", source="page"
    )
    targeting.sample_draw(request=research_request, by=world.researcher, seed=9)
    client = client_for(superadmin)
    data = change_form_data(client, person, opted_out="", consent="on", name="Renamed in admin")
    assert client.post(admin_url(person, "change", person.pk), data).status_code == 302
    person.refresh_from_db()
    assert person.name == "Renamed in admin"
    assert person.opted_out
    assert Suppression.objects.active().filter(participant=person).exists()
    assert_history(client, record, {"lifted_at_0": "2030-01-01", "lifted_at_1": "00:00:00"})
    hold = Hold.objects.filter(request=research_request).first()
    assert hold is not None
    assert_history(client, hold, {"released_at_0": "2030-01-01", "released_at_1": "00:00:00"})
