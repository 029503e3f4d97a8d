"""Editing an account's renewal date and owner flag: who may, validation, audit, eligibility at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from productops.accounts.models import AuditEntry
from research import targeting
from research.models import Account, Participant

API = "/api/v1/research/accounts"
ROLES = ["admin", "researcher", "member", "outsider"]
EDITORS = {"admin", "researcher"}


def _form(**extra):
    data = {
        "renewal_date": "",
        "owner": "",
        "owner_name": "",
        "owner_flagged": "",
        "owner_flag_reason": "",
    }
    data.update(extra)
    return data


def _eligible(account) -> int:
    return Participant.objects.eligible().filter(account=account).count()


@pytest.mark.parametrize("role", ROLES)
def test_researchers_and_admins_edit_accounts_others_are_refused(client_for, world, panel, role):
    client = client_for(getattr(world, role))
    url = f"/research/accounts/{panel.big.pk}/edit/"
    allowed = role in EDITORS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, _form(owner_name="Sam Sales"))
    assert response.status_code == (302 if allowed else 403)
    assert (Account.objects.get(pk=panel.big.pk).owner_name == "Sam Sales") is allowed
    detail = client.get(panel.big.get_absolute_url()).content.decode()
    assert ("Edit renewal and owner" in detail) is allowed


def test_the_owners_flag_blocks_the_whole_account_at_once_and_lifting_it_frees_it(
    client_for, world, panel
):
    client = client_for(world.researcher)
    url = f"/research/accounts/{panel.big.pk}/edit/"
    assert _eligible(panel.big) == 25
    response = client.post(
        url,
        _form(
            owner=world.member.pk,
            owner_flagged="on",
            owner_flag_reason="Escalation open until the outage review",
        ),
    )
    assert response.status_code == 302
    assert _eligible(panel.big) == 0
    assert _eligible(panel.small[0]) == panel.small[0].participants.count()  # others untouched
    person = Participant.objects.get(pk=panel.people[0].pk)
    assert "owner-flag" in person.blocked_rules
    assert "25 participants changed" in str(list(response.wsgi_request._messages)[0])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Account owner" in page  # the refusal names the rule
    entry = AuditEntry.objects.get(action="research.account.edited")
    assert entry.actor == world.researcher
    assert entry.reason == "Escalation open until the outage review"
    assert entry.data["owner_flagged"] == [False, True]
    assert entry.data["owner"] == [None, "member"]

    client.post(url, _form(owner=world.member.pk))
    assert _eligible(panel.big) == 25
    assert Account.objects.get(pk=panel.big.pk).owner_flag_reason == ""


def test_a_renewal_inside_the_quiet_period_holds_the_account_back_in_dry_runs(
    client_for, world, panel
):
    renewal = timezone.localdate() + timedelta(days=20)
    client_for(world.admin).post(
        f"/research/accounts/{panel.big.pk}/edit/", _form(renewal_date=renewal.isoformat())
    )
    dry = targeting.dry_run(criteria={}, needed=5)
    assert dry["matching"] == 40 and dry["eligible"] == 15
    assert {r["rule"]: r["count"] for r in dry["by_rule"]}["renewal-quiet-period"] == 25
    # Eligible again the day after the renewal.
    person = Participant.objects.get(pk=panel.people[0].pk)
    assert person.next_eligible_at.date() == renewal + timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"owner_flagged": "on", "owner_flag_reason": "busy"}, "owner_flag_reason", "at least 10"),
        ({"renewal_date": "2099-01-01"}, "renewal_date", "within ten years"),
        ({"renewal_date": "2026-13-45"}, "renewal_date", "valid date"),
        ({"owner": "999999"}, "owner", "valid choice"),
        ({"owner_name": "x" * 121}, "owner_name", "at most 120"),
    ],
)
def test_bad_account_edits_name_the_field_and_change_nothing(
    client_for, world, panel, data, field, words
):
    response = client_for(world.researcher).post(
        f"/research/accounts/{panel.big.pk}/edit/", _form(**data)
    )
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    account = Account.objects.get(pk=panel.big.pk)
    assert not account.owner_flagged and account.renewal_date is None and not account.owner_name
    assert _eligible(panel.big) == 25
    assert not AuditEntry.objects.exists()


def test_saving_without_changes_writes_no_audit_entry(client_for, world, panel):
    client_for(world.admin).post(f"/research/accounts/{panel.big.pk}/edit/", _form())
    assert not AuditEntry.objects.exists()


# API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_patching_an_account_is_for_researchers_and_admins(api_for, world, panel, role):
    response = api_for(getattr(world, role)).patch(
        f"{API}/{panel.big.pk}/",
        {"owner_flagged": True, "owner_flag_reason": "Contract renegotiation under way"},
        format="json",
    )
    allowed = role in EDITORS
    assert response.status_code == (200 if allowed else 403)
    assert _eligible(panel.big) == (0 if allowed else 25)
    if allowed:
        body = response.json()
        assert body["owner_flagged"] is True and body["eligibility_changed"] == 25


def test_a_patch_keeps_the_fields_it_leaves_out(api_for, world, panel):
    client = api_for(world.admin)
    client.patch(
        f"{API}/{panel.big.pk}/",
        {"owner": "member", "owner_flagged": True, "owner_flag_reason": "Legal review ongoing"},
        format="json",
    )
    renewal = (timezone.localdate() + timedelta(days=200)).isoformat()
    body = client.patch(f"{API}/{panel.big.pk}/", {"renewal_date": renewal}, format="json").json()
    assert body["owner"] == "member" and body["owner_flagged"] is True
    assert body["owner_flag_reason"] == "Legal review ongoing" and body["renewal_date"] == renewal


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"owner_flagged": True}, "owner_flag_reason"),
        ({"owner": "nobody-by-that-name"}, "owner"),
        ({"renewal_date": "soon"}, "renewal_date"),
        ({"owner_flagged": "perhaps"}, "owner_flagged"),
    ],
)
def test_bad_account_patches_are_a_400_naming_the_field(api_for, world, panel, payload, field):
    response = api_for(world.researcher).patch(f"{API}/{panel.big.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Account.objects.get(pk=panel.big.pk).owner_flagged
    assert not AuditEntry.objects.exists()


def test_a_flag_the_crm_import_raised_without_a_reason_does_not_block_other_edits(
    client_for, world, panel
):
    Account.objects.filter(pk=panel.big.pk).update(owner_flagged=True)
    renewal = timezone.localdate() + timedelta(days=300)
    response = client_for(world.researcher).post(
        f"/research/accounts/{panel.big.pk}/edit/",
        _form(owner_flagged="on", renewal_date=renewal.isoformat()),
    )
    assert response.status_code == 302
    account = Account.objects.get(pk=panel.big.pk)
    assert account.renewal_date == renewal and account.owner_flagged
