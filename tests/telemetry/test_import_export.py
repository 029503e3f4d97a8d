import io
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from productops.accounts.models import AuditEntry
from telemetry import tracking_plan
from telemetry.models import Event, EventProperty, Property

pytestmark = pytest.mark.django_db

CSV = (
    "Event Name,Description,Property,Type,Required,Platforms\n"
    "Order Completed,Payment went through,order_id,string,yes,web\n"
    "Order Completed,,revenue,number,,web\n"
    'view_product,A product page opened,product_id,string,yes,"ios, android"\n'
    "Coupon Applied,,,,,\n"
)


def _upload(client, world, content: bytes, fmt: str, name="plan.csv"):
    return client.post(
        reverse("telemetry:import_upload"),
        {"team": world.team.pk, "format": fmt, "file": SimpleUploadedFile(name, content)},
    )


def _through_mapping(client, response, mapping=None):
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    url = response["Location"]
    if "/columns/" in url:
        page = client.get(url)
        fields = {target: chosen for target, _, chosen in page.context["fields"]}
        if mapping:
            fields.update(mapping)
        response = client.post(url, {k: v for k, v in fields.items() if v})
        assert response.status_code == 302
        url = response["Location"]
    return url


def test_csv_import_previews_then_commits_everything(world, client_for, register):
    register("Coupon Applied", description="old")
    client = client_for(world.member)
    preview_url = _through_mapping(client, _upload(client, world, CSV.encode(), "csv"))
    preview = client.get(preview_url)
    assert preview.status_code == 200
    p = preview.context["preview"]
    assert sorted(e.name for e in p.create) == ["Order Completed", "view_product"]
    assert [e.name for e, _ in p.update] == ["Coupon Applied"]
    assert [r["name"] for r in p.failing] == ["view_product"]
    assert p.failing[0]["suggestion"] == "Product Viewed"
    assert not p.invalid
    assert Event.objects.count() == 1  # nothing written by the preview

    response = client.post(preview_url)
    assert response.status_code == 302
    order = Event.objects.get(name="Order Completed")
    assert order.description == "Payment went through"
    assert [
        (ep.property.name, ep.property.type, ep.required)
        for ep in order.event_properties.select_related("property")
    ] == [("order_id", "string", True), ("revenue", "number", False)]
    assert Event.objects.get(name="view_product").lint_state == "warnings"
    assert sorted(
        Event.objects.get(name="view_product").platforms.values_list("code", flat=True)
    ) == ["android", "ios"]
    assert AuditEntry.objects.get(action="telemetry.plan.imported").data["created"] == 2


def test_an_invalid_row_stops_the_whole_import(world, client_for):
    bad = CSV + ",no name here,,,,\nPayment Failed,,amount,money,,\n"
    client = client_for(world.member)
    preview_url = _through_mapping(client, _upload(client, world, bad.encode(), "csv"))
    p = client.get(preview_url).context["preview"]
    reasons = " ".join(r.reason for r in p.invalid)
    assert "event name is empty" in reasons
    assert "money" in reasons
    assert not p.can_commit
    response = client.post(preview_url)
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert Property.objects.count() == 0


def test_events_of_another_team_are_invalid_rows(world, client_for, register):
    register("Order Completed", team=world.other_team, by=world.outsider)
    client = client_for(world.member)
    p = client.get(_through_mapping(client, _upload(client, world, CSV.encode(), "csv"))).context[
        "preview"
    ]
    assert any("belongs to Search" in r.reason for r in p.invalid)


def test_a_csv_in_the_wrong_encoding_gets_a_clear_error(world, client_for):
    client = client_for(world.member)
    response = _upload(client, world, "Event\nBestellung abgeschloßen\n".encode("latin-1"), "csv")
    assert response.status_code == 400
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert Event.objects.count() == 0


def test_an_empty_file_is_refused(world, client_for):
    response = _upload(client_for(world.member), world, b"", "csv")
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_a_missing_event_column_is_asked_for(world, client_for):
    client = client_for(world.member)
    response = _upload(client, world, b"Colour,Size\nred,L\n", "csv")
    url = response["Location"]
    response = client.post(url, {"description": "Colour"})
    assert response.status_code == 400
    assert "event name" in response.context["error"]


def test_column_mapping_can_be_changed(world, client_for):
    client = client_for(world.member)
    content = b"What,Notes\nOrder Completed,paid\n"
    url = _through_mapping(
        client, _upload(client, world, content, "csv"), {"event": "What", "description": "Notes"}
    )
    client.post(url)
    assert Event.objects.get().description == "paid"


def test_xlsx_import(world, client_for):
    book = Workbook()
    sheet = book.active
    for row in CSV.splitlines():
        sheet.append(row.replace('"ios, android"', "ios").split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, buffer.getvalue(), "xlsx", "plan.xlsx"))
    client.post(url)
    assert Event.objects.count() == 3


def test_a_broken_xlsx_is_refused(world, client_for):
    response = _upload(client_for(world.member), world, b"PK\x03\x04 nonsense", "xlsx", "plan.xlsx")
    assert response.status_code == 400
    assert ".xlsx" in response.context["form"].errors["file"][0]


SEGMENT_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Checkout Started",
    "description": "The customer opened checkout.",
    "properties": {
        "properties": {
            "type": "object",
            "properties": {
                "cart_id": {"type": "string", "description": "The cart"},
                "value": {"type": ["number", "null"]},
                "step": {"type": "integer", "enum": [1, 2, 3]},
            },
            "required": ["cart_id"],
        }
    },
}


def test_json_schema_import_reads_segment_protocols_shape(world, client_for):
    avo = {"title": "signupStarted", "properties": {"method": {"type": "string"}}}
    client = client_for(world.member)
    content = json.dumps([SEGMENT_SCHEMA, avo, {"no": "title"}]).encode()
    url = _through_mapping(client, _upload(client, world, content, "jsonschema", "plan.json"))
    p = client.get(url).context["preview"]
    assert sorted(e.name for e in p.create) == ["Checkout Started", "signupStarted"]
    assert p.invalid[0].where == "schema 3"
    event = next(e for e in p.create if e.name == "Checkout Started")
    assert [(x.name, x.type, x.required, x.allowed_values) for x in event.properties] == [
        ("cart_id", "string", True, []),
        ("value", "number", False, []),
        ("step", "integer", False, ["1", "2", "3"]),
    ]


def test_malformed_json_is_refused_with_the_position(world, client_for):
    response = _upload(
        client_for(world.member), world, b'{"title": "x",', "jsonschema", "plan.json"
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.context["form"].errors["file"][0]


GLEAN = b"""
$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0
search:
  engine_selected:
    type: event
    description: The user picked a search engine.
    extra_keys:
      engine:
        description: Which one
        type: string
  count:
    type: counter
    description: Searches
"""


def test_glean_metrics_yaml_imports_events_and_skips_other_metrics(world, client_for):
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, GLEAN, "glean", "metrics.yaml"))
    page = client.get(url)
    p = page.context["preview"]
    assert [e.name for e in p.create] == ["search.engine_selected"]
    assert p.create[0].properties[0].name == "engine"
    # The counter is listed as skipped, not as an invalid row, and Commit stays enabled.
    assert not p.invalid
    assert [r.where for r in p.skipped] == ["search.count"]
    assert "counter metric" in p.skipped[0].reason
    assert p.can_commit
    assert 'data-testid="skipped-row"' in page.content.decode()
    assert client.post(url).status_code == 302
    assert list(Event.objects.values_list("name", flat=True)) == ["search.engine_selected"]


def test_outsiders_cannot_import_into_a_team(world, client_for):
    response = _upload(client_for(world.outsider), world, CSV.encode(), "csv")
    assert response.status_code == 400
    assert "team" in response.context["form"].errors


def test_someone_elses_import_token_is_not_found(world, client_for):
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, CSV.encode(), "csv"))
    other = client_for(world.teammate)
    response = other.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("telemetry:import_upload")


def test_exports_round_trip(world, client_for, register):
    from telemetry import properties, services

    event = register("Order Completed", description="Paid", platforms=["web"], tags=["revenue"])
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[{"name": "order_id", "type": "string", "required": True}],
    )
    services.event_rename(event=register("addToCart"), new_name="Product Added", by=world.member)
    client = client_for(world.outsider)

    csv_text = client.get(reverse("telemetry:export", args=["csv"])).content.decode()
    headers, rows = tracking_plan.read_table(csv_text.encode(), "csv")
    events, invalid = tracking_plan.events_from_table(
        headers, rows, tracking_plan.guess_mapping(headers)
    )
    assert not invalid
    assert [(e.name, [p.name for p in e.properties]) for e in events] == [
        ("Order Completed", ["order_id"]),
        ("Product Added", []),
    ]

    schemas = json.loads(client.get(reverse("telemetry:export", args=["json"])).content)
    parsed, _ = tracking_plan.events_from_json_schema(json.dumps(schemas).encode())
    assert parsed[0].properties[0].required is True

    plan = yaml.safe_load(client.get(reverse("telemetry:export", args=["yaml"])).content)
    assert plan["convention"]["rules"]["event_case"] == "title"
    product = next(e for e in plan["events"] if e["name"] == "Product Added")
    assert product["aliases"] == ["addToCart"]
    assert EventProperty.objects.count() == 1


def test_export_respects_filters(world, client_for, register):
    register("Order Completed")
    register("Results Viewed", team=world.other_team, by=world.outsider)
    body = (
        client_for(world.member)
        .get(reverse("telemetry:export", args=["csv"]), {"team": "search"})
        .content.decode()
    )
    assert "Results Viewed" in body and "Order Completed" not in body


FORMULA = '=HYPERLINK("http://evil","x")'


def _csv_cells(response) -> dict[str, list[str]]:
    import csv

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[0]: row for row in rows[1:]}


def test_csv_export_writes_formula_looking_text_as_text(world, client_for, register):
    from telemetry import properties

    event = register("Order Completed", description=FORMULA)
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[{"name": "total", "type": "number", "description": "@SUM(1)"}],
    )
    register("-foo", description="+1 from sales")
    response = client_for(world.member).get(reverse("telemetry:export", args=["csv"]))
    rows = _csv_cells(response)
    columns = tracking_plan.CSV_COLUMNS
    order = rows["Order Completed"]
    assert order[columns.index("description")] == "'" + FORMULA
    assert order[columns.index("property_description")] == "'@SUM(1)"
    assert rows["'-foo"][columns.index("description")] == "'+1 from sales"


def test_json_and_yaml_exports_are_not_spreadsheets_and_stay_raw(world, client_for, register):
    register("Order Completed", description=FORMULA)
    client = client_for(world.member)
    schemas = json.loads(client.get(reverse("telemetry:export", args=["json"])).content)
    assert schemas[0]["description"] == FORMULA
    plan = yaml.safe_load(client.get(reverse("telemetry:export", args=["yaml"])).content)
    assert plan["events"][0]["description"] == FORMULA


def test_an_unknown_export_format_is_not_found(world, client_for):
    response = client_for(world.member).get(reverse("telemetry:export", args=["xlsx"]))
    assert response.status_code == 404


def test_the_csv_export_imports_back_without_a_character_lost(world, client_for, register):
    from telemetry import properties

    originals = {
        "-foo": "-starts with a minus",
        "=x": FORMULA,
        "@home": "'quoted' on purpose",
        "Order Completed": "'=already marked by hand",
    }
    for name, description in originals.items():
        event = register(name, description=description)
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[{"name": "total", "type": "number", "description": "@SUM(1)"}],
    )
    client = client_for(world.member)
    exported = client.get(reverse("telemetry:export", args=["csv"])).content
    Event.objects.all().delete()

    url = _through_mapping(client, _upload(client, world, exported, "csv"))
    page = client.get(url)
    assert page.context["preview"].formulas == []  # the apostrophes mark them as text already
    assert client.post(url).status_code == 302
    assert dict(Event.objects.values_list("name", "description")) == originals
    assert EventProperty.objects.get().description == "@SUM(1)"


def test_a_formula_cell_is_imported_as_text_and_flagged(world, client_for):
    content = f'Event,Description\nOrder Completed,"{FORMULA.replace(chr(34), chr(34) * 2)}"\n'
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, content.encode(), "csv"))
    page = client.get(url)
    assert page.context["preview"].formulas == [["row 2", "Description", FORMULA]]
    flagged = page.content.decode()
    assert "looks like a spreadsheet formula; kept as text" in flagged
    assert 'data-testid="formula-cell"' in flagged
    client.post(url)
    assert Event.objects.get().description == FORMULA


def test_an_xlsx_formula_is_imported_as_its_text_never_its_result(world, client_for):
    book = Workbook()
    sheet = book.active
    sheet.append(["Event", "Description"])
    sheet.append(["Order Completed", "=1+1"])
    assert sheet["B2"].data_type == "f"  # a real formula cell, as Excel saves one
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, buffer.getvalue(), "xlsx", "plan.xlsx"))
    assert client.get(url).context["preview"].formulas == [["row 2", "Description", "=1+1"]]
    client.post(url)
    assert Event.objects.get().description == "=1+1"


def _catalogue_with_two_teams(world, register):
    from telemetry import properties, services
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.member, team=world.other_team)
    event = register("Order Completed", description="Paid", platforms=["web"], tags=["revenue"])
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[
            {"name": "order_id", "type": "string", "required": True, "description": "Our id"},
            {"name": "revenue", "type": "number", "pii": False},
        ],
    )
    services.event_rename(event=register("addToCart"), new_name="Product Added", by=world.member)
    register("Results Viewed", team=world.other_team, status="planned", platforms=["ios"])
    register(
        "legacy_ping",
        team=world.other_team,
        no_lint_reason="The partner's SDK sends it under this name.",
    )


def _wipe_catalogue():
    from telemetry.models import Alias

    Alias.objects.all().delete()
    EventProperty.objects.all().delete()
    Event.objects.all().delete()


@pytest.mark.parametrize("fmt,upload_fmt", [("yaml", "yaml"), ("csv", "csv")])
def test_the_portals_own_export_re_imports_losslessly(world, client_for, register, fmt, upload_fmt):
    _catalogue_with_two_teams(world, register)
    client = client_for(world.member)
    before = client.get(reverse("telemetry:export", args=[fmt])).content
    _wipe_catalogue()

    url = _through_mapping(client, _upload(client, world, before, upload_fmt, f"plan.{fmt}"))
    preview = client.get(url).context["preview"]
    assert not preview.invalid, preview.invalid
    # The team column puts each event back into its own team, not the importing one.
    assert {e.name: preview.owners[e.name].slug for e in preview.create} == {
        "Order Completed": "checkout",
        "Product Added": "checkout",
        "Results Viewed": "search",
        "legacy_ping": "search",
    }
    assert client.post(url).status_code == 302
    after = client.get(reverse("telemetry:export", args=[fmt])).content
    assert after.decode() == before.decode()


def test_a_catalogue_export_re_imported_by_one_team_leaves_other_teams_events_alone(
    world, client_for, register
):
    register("Order Completed")
    register("Results Viewed", team=world.other_team, by=world.outsider)
    client = client_for(world.member)
    body = client.get(reverse("telemetry:export", args=["yaml"])).content
    url = _through_mapping(client, _upload(client, world, body, "yaml", "plan.yaml"))
    preview = client.get(url).context["preview"]
    assert not preview.invalid
    assert [e.name for e, _ in preview.update] == ["Order Completed"]
    assert ["Results Viewed" in r.reason for r in preview.skipped] == [True]
    assert preview.can_commit


def test_a_team_the_portal_does_not_know_is_a_row_error(world, client_for):
    client = client_for(world.member)
    csv_body = b"event,team\nOrder Completed,nobody\n"
    url = _through_mapping(client, _upload(client, world, csv_body, "csv"))
    preview = client.get(url).context["preview"]
    assert "Team “nobody” is not in the portal" in preview.invalid[0].reason


PATHOLOGICAL = [
    (
        "csv",
        b"event,description\nHuge Row," + b"x" * 200_000 + b"\nOrder Completed,fine\n",
        "row 2",
        "longer than 131,072 characters",
    ),
    (
        "jsonschema",
        b'[{"title": "Deep", "properties": '
        + b'{"a": ' * 3000
        + b"1"
        + b"}" * 3000
        + b'}, {"title": "Order Completed"}]',
        "schema 1",
        "levels deep",
    ),
    ("glean", b"search:\n  - engine_selected\n  - count\n", "search", "is a list"),
    (
        "glean",
        b"search:\n  engine_selected:\n    type: event\n    extra_keys: [engine]\n",
        "search.engine_selected",
        "here it is a list",
    ),
]


@pytest.mark.parametrize("fmt,body,where,reason", PATHOLOGICAL)
def test_pathological_files_get_a_row_level_error(world, client_for, fmt, body, where, reason):
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, body, fmt, "plan"))
    response = client.get(url)
    assert response.status_code == 200
    invalid = response.context["preview"].invalid
    assert [r.where for r in invalid] == [where]
    assert reason in invalid[0].reason
    assert 'data-testid="invalid-row"' in response.content.decode()


def test_a_single_schema_nested_too_deep_is_a_row_error_too():
    events, invalid = tracking_plan.events_from_json_schema(
        b'{"title": "Deep", "properties": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}"
    )
    assert events == []
    assert "5001 levels deep" in invalid[0].reason


def test_the_yaml_readers_use_the_c_loader():
    assert tracking_plan.YAML_LOADER is yaml.CSafeLoader


def test_a_file_is_read_once(world, client_for, monkeypatch):
    calls = []
    real = tracking_plan.events_from_glean

    def counting(data, progress=None):
        calls.append(1)
        return real(data, progress=progress)

    monkeypatch.setitem(__import__("telemetry.plan_import").plan_import.READERS, "glean", counting)
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, GLEAN, "glean", "metrics.yaml"))
    client.get(url)
    client.get(url)
    client.post(url)
    assert len(calls) == 1
    assert Event.objects.filter(name="search.engine_selected").exists()


def _big_glean(n: int) -> bytes:
    lines = ["shop:"]
    for i in range(n):
        lines += [
            f"  thing_{i}_viewed:",
            "    type: event",
            f"    description: Thing number {i} was viewed on the shop's product page.",
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_big_file_is_read_by_a_worker_with_progress_on_the_page_and_in_the_api(
    world, client_for, api_for, django_capture_on_commit_callbacks
):
    from telemetry import plan_import
    from telemetry.models import PlanImport
    from telemetry.tasks import run_plan_import

    body = _big_glean(3000)
    assert len(body) > plan_import.BACKGROUND_BYTES
    client = client_for(world.member)
    with django_capture_on_commit_callbacks() as queued:
        url = _through_mapping(client, _upload(client, world, body, "glean", "metrics.yaml"))
    job = PlanImport.objects.get()
    assert job.status == PlanImport.Status.QUEUED and len(queued) == 1

    page = client.get(url)
    assert 'data-testid="import-progress"' in page.content.decode()
    assert 'hx-trigger="every 1s"' in page.content.decode()
    status = api_for(world.member).get(f"/api/v1/telemetry/imports/{job.token}/")
    assert status.status_code == 200 and status.json()["status"] == "queued"
    assert api_for(world.outsider).get(f"/api/v1/telemetry/imports/{job.token}/").status_code == 404

    # The worker's task, run here as the worker would run it.
    assert run_plan_import(job.pk) == "ready"
    assert run_plan_import(job.pk) == "ready"  # a second delivery reads nothing twice
    job.refresh_from_db()
    assert (job.done, job.total) == (3000, 3000)
    assert (
        api_for(world.member).get(f"/api/v1/telemetry/imports/{job.token}/").json()["events"]
        == 3000
    )
    poll = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress")
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    assert client.get(url).context["preview"].can_commit

    # Committing 3,000 events goes to the worker too.
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(url)
    assert response.status_code == 302 and len(queued) == 1
    assert "import-progress" in client.get(url).content.decode()
    assert run_plan_import(job.pk) == "done"
    assert run_plan_import(job.pk) == "done"  # a second delivery imports nothing twice
    assert Event.objects.count() == 3000
    assert AuditEntry.objects.filter(action="telemetry.plan.imported").count() == 1
    assert client.get(url).status_code == 302


def test_an_alias_that_names_another_event_is_a_row_error(world, client_for, register):
    register("Product Viewed")
    body = b"version: 1\nevents:\n  - name: Order Completed\n    aliases: [Product Viewed]\n"
    client = client_for(world.member)
    url = _through_mapping(client, _upload(client, world, body, "yaml", "plan.yaml"))
    preview = client.get(url).context["preview"]
    assert "“Product Viewed” already names another event" in preview.invalid[0].reason
    assert not preview.can_commit


def test_uploads_untouched_for_two_days_are_pruned(world, client_for):
    import datetime

    from django.utils import timezone

    from telemetry.models import PlanImport

    client = client_for(world.member)
    _upload(client, world, GLEAN, "glean", "old.yaml")
    PlanImport.objects.update(updated_at=timezone.now() - datetime.timedelta(days=3))
    _upload(client, world, GLEAN, "glean", "new.yaml")
    assert list(PlanImport.objects.values_list("filename", flat=True)) == ["new.yaml"]
