"""An import changes only what it maps, says what empty cells mean, and keeps no file around."""

import io
import os
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from productops.celery import app as celery_app
from research import import_jobs, importing
from research.models import Account, AttributeDefinition, ImportBatch, Participant


def _run(text, *, mapping=None, by=None, check=False):
    data = text.encode() if isinstance(text, str) else text
    headers, rows = importing.read_table(data, "panel.csv")
    mapping = mapping or importing.guess_mapping(headers, importing.targets())
    if check:
        return importing.import_check(headers=headers, rows=rows, mapping=mapping)
    return importing.import_commit(headers=headers, rows=rows, mapping=mapping, by=by)


@pytest.fixture
def attributes(db):
    AttributeDefinition.objects.create(name="seats", label="Seats", type="number")
    AttributeDefinition.objects.create(name="beta", label="Beta tester", type="boolean")


def test_a_file_mapping_one_custom_attribute_keeps_the_others(attributes):
    _run("id,name,email,seats,beta\nC-1,Ana,ana@x.example,12,yes\n")
    _run("id,name,email,seats\nC-1,Ana,ana@x.example,30\n")
    assert Participant.objects.get(external_id="C-1").attributes == {"seats": 30, "beta": True}


def test_an_empty_cell_keeps_the_stored_value_and_the_preview_says_so(db):
    _run("id,name,email,plan,timezone,dnc\nC-1,Ana,ana@x.example,pro,Europe/Lisbon,yes\n")
    later = "id,name,email,plan,timezone,dnc\nC-1,Ana,ana@x.example,,,\n"
    assert _run(later, check=True)["empty_cells"] == importing.EMPTY_CELL_MEANING
    _run(later)
    ana = Participant.objects.get(external_id="C-1")
    assert (ana.plan, ana.time_zone, ana.do_not_contact) == ("pro", "Europe/Lisbon", True)


def test_a_column_the_file_does_not_map_stays_as_it_is(db):
    _run("id,name,email,plan,region\nC-1,Ana,ana@x.example,pro,EMEA\n")
    _run("id,name,email,plan\nC-1,Ana,ana@x.example,starter\n")
    ana = Participant.objects.get(external_id="C-1")
    assert (ana.plan, ana.region) == ("starter", "EMEA")


def test_an_account_keeps_its_name_when_a_file_maps_only_its_id(db):
    _run("id,name,email,company_id,company\nC-1,Ana,ana@x.example,ACC-1,Blue Retail\n")
    _run("id,name,email,company_id\nC-1,Ana,ana@x.example,ACC-1\nC-2,Ben,ben@x.example,ACC-2\n")
    assert Account.objects.get(external_id="ACC-1").name == "Blue Retail"
    assert Account.objects.get(external_id="ACC-2").name == "ACC-2"
    # A blank name cell keeps it too; a name in the file renames.
    _run("id,name,email,company_id,company\nC-1,Ana,ana@x.example,ACC-1,\n")
    assert Account.objects.get(external_id="ACC-1").name == "Blue Retail"
    _run("id,name,email,company_id,company\nC-1,Ana,ana@x.example,ACC-1,Blue Retail Ltd\n")
    assert Account.objects.get(external_id="ACC-1").name == "Blue Retail Ltd"


def _workbook(*sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_several_sheets_is_read_only_from_the_chosen_sheet(world, client_for):
    data = _workbook(
        ("Notes", [["Exported from the CRM"]]),
        ("Customers", [["id", "name", "email"], ["C-1", "Ana", "ana@x.example"]]),
    )
    with pytest.raises(ValidationError) as error:
        importing.read_table(data, "crm.xlsx")
    assert "Notes, Customers" in error.value.message_dict["sheet"][0]
    headers, rows = importing.read_table(data, "crm.xlsx", "Customers")
    assert headers == ["id", "name", "email"] and rows == [["C-1", "Ana", "ana@x.example"]]
    client = client_for(world.researcher)
    refused = client.post("/research/import/", {"file": SimpleUploadedFile("crm.xlsx", data)})
    assert refused.status_code == 200 and "choose the one to import" in refused.content.decode()
    assert not ImportBatch.objects.exists()
    chosen = client.post(
        "/research/import/", {"file": SimpleUploadedFile("crm.xlsx", data), "sheet": "Customers"}
    )
    assert chosen.status_code == 302 and ImportBatch.objects.get().sheet == "Customers"


def test_a_value_too_long_for_its_column_is_a_row_error_in_the_dry_run(world, api_for):
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example"
    assert len(long_email) > 254
    text = f"id,name,email\nC-1,Ana,{long_email}\nC-2,Ben,ben@x.example\n"
    report = _run(text, check=True)
    assert report["error_count"] == 1 and report["errors"][0]["field"] == "email"
    with pytest.raises(ValidationError):
        _run(text)
    assert not Participant.objects.exists()
    dry = api_for(world.researcher).post(
        "/api/v1/research/import/",
        {"file": SimpleUploadedFile("p.csv", text.encode()), "dry_run": True},
    )
    assert dry.status_code == 400 and dry.json()["errors"][0]["row"] == 2


def test_a_nul_character_is_a_row_error_not_a_server_error(db):
    report = _run("id,name,email\nC-1,An\x00a,ana@x.example\n", check=True)
    assert report["error_count"] == 1 and "NUL" in report["errors"][0]["message"]


def test_formula_like_cells_are_kept_as_text_and_flagged_in_the_preview(world, client_for):
    text = 'id,name,email,company\nC-1,=HYPERLINK("http://x"),ana@x.example,@SUM(A1)\n'
    report = _run(text, check=True)
    assert report["formula_count"] == 2
    assert {f["field"] for f in report["formula_cells"]} == {"name", "account_name"}
    _run(text)
    assert Participant.objects.get(external_id="C-1").name == '=HYPERLINK("http://x")'


def test_uploaded_files_are_swept_after_a_day(world):
    fresh = import_jobs.batch_create(
        data=b"id,name,email\n", file_name="a.csv", by=world.researcher
    )
    old = import_jobs.batch_create(data=b"id,name,email\n", file_name="b.csv", by=world.researcher)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    orphan = os.path.join(import_jobs.import_dir(), "orphan.csv")
    with open(orphan, "wb") as fh:
        fh.write(b"id\n")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(orphan, (two_days_ago, two_days_ago))
    old_path = old.stored_path
    assert import_jobs.files_sweep() == 2
    assert not os.path.exists(old_path) and not os.path.exists(orphan)
    assert os.path.exists(fresh.stored_path)
    assert ImportBatch.objects.get(pk=old.pk).stored_path == ""
    entry = celery_app.conf.beat_schedule["research.sweep_import_files"]
    assert entry["task"] == "research.tasks.sweep_import_files"


def test_a_big_files_dry_run_runs_as_a_job_too(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_jobs, "INLINE_CHECK_BYTES", 10)
    client = client_for(world.researcher)
    text = "id,name,email\nC-1,Ana,ana@x.example\nC-2,Ben,not-an-email\n"
    response = client.post(
        "/research/import/", {"file": SimpleUploadedFile("p.csv", text.encode())}
    )
    page = client.get(response.url)
    mapping = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    with django_capture_on_commit_callbacks() as queued:
        checked = client.post(response.url, {**mapping, "action": "check"})
    assert checked.status_code == 302 and len(queued) == 1
    batch = ImportBatch.objects.get()
    assert batch.status == "queued"
    import_jobs.import_run(batch_id=batch.pk, check_only=True)
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.report["error_count"] == 1
    assert os.path.exists(batch.stored_path) and not Participant.objects.exists()
    html = client.get(response.url).content.decode()
    assert "1 error" in html and "hx-trigger" not in html
