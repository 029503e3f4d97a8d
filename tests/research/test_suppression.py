"""The suppression list: an opt-out or withdrawal stays until the person lifts it themselves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from productops.accounts.models import AuditEntry
from research import importing, suppression
from research.models import Participant, Suppression

HEADER = "id,name,email,consent,opt_out\n"


def _commit(text, by=None):
    headers, rows = importing.read_table(text.encode(), "panel.csv")
    mapping = importing.guess_mapping(headers, importing.targets())
    return importing.import_commit(headers=headers, rows=rows, mapping=mapping, by=by)


def _check(text):
    headers, rows = importing.read_table(text.encode(), "panel.csv")
    mapping = importing.guess_mapping(headers, importing.targets())
    return importing.import_check(headers=headers, rows=rows, mapping=mapping)


def test_an_import_opt_out_is_recorded_with_source_time_and_importer(world):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,yes\n", by=world.researcher)
    entry = Suppression.objects.get(participant__external_id="C-1")
    assert entry.kind == "opt_out" and entry.source == "import"
    assert entry.by == world.researcher and entry.at is not None


@pytest.mark.parametrize("cell", ["no", ""])
def test_a_later_import_saying_no_or_blank_leaves_the_person_opted_out(world, cell):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,yes\n", by=world.researcher)
    later = HEADER + f"C-1,Ana,ana@x.example,granted,{cell}\nC-2,Ben,ben@x.example,granted,no\n"
    report = _check(later)
    assert report["stay_opted_out"] == 1 and report["would_lift"] == 1
    _commit(later, by=world.researcher)
    ana = Participant.objects.get(external_id="C-1")
    assert ana.opted_out and ana.next_eligible_at is None and "opt-out" in ana.blocked_rules
    assert Participant.objects.get(external_id="C-2").eligible_now()


def test_withdrawn_consent_is_not_granted_again_by_an_import(world):
    _commit(HEADER + "C-1,Ana,ana@x.example,withdrawn,no\n")
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,no\n")
    ana = Participant.objects.get(external_id="C-1")
    assert ana.consent == "withdrawn" and not ana.eligible_now()
    assert Suppression.objects.active().filter(participant=ana, kind="consent_withdrawn").exists()


def test_the_dry_run_page_says_how_many_stay_opted_out(world, client_for):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,yes\n")
    client = client_for(world.researcher)
    upload = (HEADER + "C-1,Ana,ana@x.example,granted,no\n").encode()
    response = client.post(
        reverse("research:import"), {"file": SimpleUploadedFile("p.csv", upload)}
    )
    page = client.get(response.url)
    mapping = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    response = client.post(response.url, {**mapping, "action": "check"})
    assert "1 person stays opted out" in response.content.decode()


@pytest.mark.postgres
def test_no_write_to_the_table_clears_the_list(world):
    _commit(HEADER + "C-1,Ana,ana@x.example,withdrawn,yes\n")
    # What an admin form or any raw UPDATE would do.
    Participant.objects.filter(external_id="C-1").update(opted_out=False, consent="granted")
    ana = Participant.objects.get(external_id="C-1")
    assert ana.opted_out and ana.consent == "withdrawn"


@pytest.mark.postgres
def test_an_opt_out_saved_outside_the_portal_services_is_still_recorded(world):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,no\n")
    suppression.source_set("")  # nothing named the door, as in a Django admin save
    ana = Participant.objects.get(external_id="C-1")
    ana.opted_out = True
    ana.save()
    assert Suppression.objects.get(participant=ana).source == "admin"


def test_a_researcher_opts_one_person_out_from_the_page_audited(world, client_for):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,no\n")
    ana = Participant.objects.get(external_id="C-1")
    assert ana.eligible_now()
    response = client_for(world.researcher).post(
        reverse("research:participant_opt_out", args=[ana.pk]),
        {"reason": "Replied STOP to the invitation"},
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.opted_out and not ana.eligible_now()
    entry = Suppression.objects.get(participant=ana)
    assert (entry.source, entry.by, entry.note) == (
        "page",
        world.researcher,
        "Replied STOP to the invitation",
    )
    audit = AuditEntry.objects.get(action="research.participant.opted_out")
    assert audit.actor == world.researcher and audit.target_id == str(ana.pk)
    page = client_for(world.researcher).get(ana.get_absolute_url()).content.decode()
    assert "Suppression list" in page and "Replied STOP" in page


def test_a_team_member_cannot_opt_people_out(world, client_for):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,no\n")
    ana = Participant.objects.get(external_id="C-1")
    response = client_for(world.member).post(
        reverse("research:participant_opt_out", args=[ana.pk]), {"reason": "Because I say so"}
    )
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_the_api_opts_one_person_out_and_refuses_an_empty_reason(world, api_for):
    _commit(HEADER + "C-1,Ana,ana@x.example,granted,no\n")
    ana = Participant.objects.get(external_id="C-1")
    url = f"/api/v1/research/participants/{ana.pk}/opt-out/"
    assert api_for(world.member).post(url, {"reason": "asked by e-mail"}).status_code == 403
    bad = api_for(world.researcher).post(url, {"reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert not Participant.objects.get(pk=ana.pk).opted_out
    response = api_for(world.researcher).post(url, {"reason": "asked by e-mail"}, format="json")
    assert response.status_code == 201
    assert response.json()["source"] == "api" and response.json()["kind"] == "opt_out"
    assert Participant.objects.get(pk=ana.pk).opted_out
    assert AuditEntry.objects.filter(action="research.participant.opted_out").count() == 1


def test_only_the_participant_opts_back_in(world):
    _commit(HEADER + "C-1,Ana,ana@x.example,withdrawn,yes\n")
    ana = Participant.objects.get(external_id="C-1")
    lifted = suppression.participant_opt_in(participant=ana, confirmed_via="preference page link")
    assert lifted == 2
    ana.refresh_from_db()
    assert not ana.opted_out and ana.consent == "granted" and ana.eligible_now()
    assert not Suppression.objects.active().filter(participant=ana).exists()
    assert Suppression.objects.filter(participant=ana, lifted_at__isnull=False).count() == 2
