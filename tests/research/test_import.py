"""Panel import: every bad row named with its fix, and nothing written unless every row is good."""

import io
import os

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from research import import_jobs, importing
from research.models import Account, ImportBatch, Participant

HEADER = "id,name,email,company_id,company,timezone,plan,region,consent,renewal_date\n"
GOOD = (
    HEADER
    + "C-1,Ana Silva,ana@shop.example,ACC-1,Blue Retail,Europe/Lisbon,pro,EMEA,granted,2027-03-01\n"
    + "C-2,Ben Brooks,ben@shop.example,ACC-1,Blue Retail,America/New_York,starter,NA,yes,\n"
    + "C-3,Chen Wang,chen@shop.example,ACC-2,North Labs,Asia/Singapore,free,APAC,pending,\n"
)


def _check(text: str) -> dict:
    headers, rows = importing.read_table(text.encode(), "panel.csv")
    return importing.import_check(
        headers=headers, rows=rows, mapping=importing.guess_mapping(headers, importing.targets())
    )


def _commit(text: str, by=None, name="panel.csv"):
    data = text.encode() if isinstance(text, str) else text
    headers, rows = importing.read_table(data, name)
    mapping = importing.guess_mapping(headers, importing.targets())
    return importing.import_commit(headers=headers, rows=rows, mapping=mapping, by=by)


def test_the_mapping_guesses_common_crm_column_names(db):
    mapping = importing.guess_mapping(
        ["ID", "Name", "E-mail", "Company ID", "Company", "TimeZone"], importing.targets()
    )
    assert mapping == {
        "external_id": "ID",
        "name": "Name",
        "email": "E-mail",
        "account_id": "Company ID",
        "account_name": "Company",
        "time_zone": "TimeZone",
    }


def test_a_good_file_imports_people_and_accounts_and_makes_them_eligible(db, world):
    report = _commit(GOOD, by=world.researcher)
    assert report["new"] == 3 and report["updated"] == 0 and report["accounts"] == 2
    ana = Participant.objects.get(external_id="C-1")
    assert (
        ana.account.name == "Blue Retail" and ana.account.renewal_date.isoformat() == "2027-03-01"
    )
    assert ana.time_zone == "Europe/Lisbon" and ana.consent == "granted"
    assert ana.eligible_now()
    chen = Participant.objects.get(external_id="C-3")
    assert chen.next_eligible_at is None and chen.blocked_rules == ["consent"]


def test_importing_the_same_file_twice_changes_nothing_and_updates_by_id(db):
    _commit(GOOD)
    report = _commit(GOOD)
    assert report["new"] == 0 and report["updated"] == 3
    assert Participant.objects.count() == 3 and Account.objects.count() == 2
    _commit(GOOD.replace("Ana Silva,ana@shop.example", "Ana Silva-Costa,ana.costa@shop.example"))
    ana = Participant.objects.get(external_id="C-1")
    assert ana.name == "Ana Silva-Costa" and ana.email == "ana.costa@shop.example"
    assert Participant.objects.count() == 3


def test_each_bad_row_is_named_with_its_field_and_fix(db):
    text = (
        HEADER
        + "C-1,Ana,not-an-email,ACC-1,Blue,Europe/Lisbon,pro,EMEA,granted,\n"
        + "C-2,Ben,ben@shop.example,ACC-1,Blue,Mars/Olympus,pro,EMEA,granted,\n"
        + "C-1,Ana again,ana2@shop.example,ACC-1,Blue,UTC,pro,EMEA,granted,\n"
        + ",No Id,noid@shop.example,ACC-1,Blue,UTC,pro,EMEA,granted,\n"
        + "C-5,Eve,eve@shop.example,ACC-1,Blue,UTC,platinum,EMEA,granted,\n"
        + "C-6,Fay,fay@shop.example,ACC-1,Blue,UTC,pro,EMEA,granted,31/02/2027\n"
    )
    report = _check(text)
    errors = {(e["row"], e["field"]): e["message"] for e in report["errors"]}
    assert "not an e-mail address" in errors[(2, "email")]
    assert (
        "Mars/Olympus" in errors[(3, "time_zone")] and "Europe/Berlin" in errors[(3, "time_zone")]
    )
    assert "also on row 2" in errors[(4, "external_id")]
    assert "Participant id is empty" in errors[(5, "external_id")]
    assert "platinum" in errors[(6, "plan")]
    assert "2026-03-31" in errors[(7, "row")]
    assert report["error_count"] == 6


def test_one_bad_row_and_nothing_is_written(db):
    text = GOOD + "C-4,Dana,dana@@shop,ACC-3,Cedar,UTC,pro,EMEA,granted,\n"
    with pytest.raises(Exception) as error:
        _commit(text)
    assert "Nothing was imported" in str(error.value)
    assert Participant.objects.count() == 0 and Account.objects.count() == 0


def test_missing_required_columns_are_named(db):
    report = _check("id,name\nC-1,Ana\n")
    assert report["file_errors"] == [
        "Missing required column: E-mail. Add it to the file or map the column that holds it."
    ]


def test_a_file_that_is_not_utf8_gets_a_fix(db):
    data = GOOD.replace("Ana Silva", "Anaïs Silva").encode("latin-1")
    with pytest.raises(Exception) as error:
        importing.read_table(data, "panel.csv")
    assert "not UTF-8" in str(error.value) and "line 2" in str(error.value)


def test_oversize_files_are_refused_before_reading(db, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    with pytest.raises(Exception) as error:
        importing.read_table(GOOD.encode() * 3, "panel.csv")
    assert "limit" in str(error.value)


def test_excel_files_import_too(db):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    report = _commit(buffer.getvalue(), name="panel.xlsx")
    assert report["new"] == 3


def test_the_import_pages_map_check_and_import(
    client_for, world, django_capture_on_commit_callbacks
):
    client = client_for(world.researcher)
    upload = SimpleUploadedFile("crm.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/research/import/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/research/import/{batch.pk}/"
    page = client.get(response.url)
    assert page.context["form"].initial == {} or page.context["form"]["external_id"].initial == "id"
    mapping = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    checked = client.post(response.url, {**mapping, "action": "check"})
    assert "3</strong> new" in checked.content.decode()
    assert Participant.objects.count() == 0
    stored = ImportBatch.objects.get().stored_path
    with django_capture_on_commit_callbacks() as queued:
        client.post(response.url, {**mapping, "action": "import"})
    # The web request only queues the job.
    assert len(queued) == 1 and Participant.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "queued"
    running = client.get(response.url).content.decode()
    assert 'data-testid="import-progress"' in running and 'hx-trigger="every 1s"' in running
    import_jobs.import_run(batch_id=batch.pk)
    assert Participant.objects.count() == 3
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.progress == 1.0
    # The file held personal data: it is gone once imported.
    assert batch.stored_path == "" and not os.path.exists(stored)
    progress = client.get(f"/research/import/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"


def test_oversize_uploads_are_refused_with_a_clear_message(client_for, world, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    upload = SimpleUploadedFile("crm.csv", GOOD.encode() * 2000, content_type="text/csv")
    response = client_for(world.researcher).post("/research/import/", {"file": upload})
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_only_researchers_and_admins_import(client_for, api_for, world):
    assert client_for(world.member).get("/research/import/").status_code == 403
    upload = SimpleUploadedFile("crm.csv", GOOD.encode(), content_type="text/csv")
    assert (
        api_for(world.member).post("/api/v1/research/import/", {"file": upload}).status_code == 403
    )


def test_the_crm_can_push_through_the_api_all_or_nothing(api_for, world):
    client = api_for(world.admin)
    bad = SimpleUploadedFile(
        "crm.csv", (GOOD + "C-9,Zed,zed-at-shop,ACC-1,B,UTC,pro,EMEA,granted,\n").encode()
    )
    response = client.post("/api/v1/research/import/", {"file": bad})
    assert response.status_code == 202
    import_jobs.import_run(batch_id=response.json()["id"])
    body = client.get(f"/api/v1/research/imports/{response.json()['id']}/").json()
    assert body["status"] == "failed"
    assert body["report"]["error_count"] == 1 and body["report"]["errors"][0]["row"] == 5
    assert Participant.objects.count() == 0
    dry = client.post(
        "/api/v1/research/import/",
        {"file": SimpleUploadedFile("crm.csv", GOOD.encode()), "dry_run": True},
    )
    assert dry.status_code == 200 and dry.json()["new"] == 3 and Participant.objects.count() == 0
    done = client.post(
        "/api/v1/research/import/", {"file": SimpleUploadedFile("crm.csv", GOOD.encode())}
    )
    assert done.status_code == 202 and done.json()["status"] == "queued"
    import_jobs.import_run(batch_id=done.json()["id"])
    job = client.get(f"/api/v1/research/imports/{done.json()['id']}/").json()
    assert job["status"] == "imported" and job["percent"] == 100 and job["report"]["new"] == 3
    assert Participant.objects.count() == 3


def test_a_reimport_refreshes_whom_it_changed(db):
    from datetime import timedelta

    from django.utils import timezone

    _commit(GOOD)
    assert not Participant.objects.get(external_id="C-3").eligible_now()
    soon = (timezone.localdate() + timedelta(days=20)).isoformat()
    text = GOOD.replace("free,APAC,pending", "free,APAC,granted").replace(
        ",2027-03-01\n", f",{soon}\n"
    )
    _commit(text)
    assert Participant.objects.get(external_id="C-3").eligible_now()
    # The renewal date of ACC-1 moved into the quiet period: both of its people are held back.
    for ext in ("C-1", "C-2"):
        assert Participant.objects.get(external_id=ext).blocked_rules == ["renewal-quiet-period"]
