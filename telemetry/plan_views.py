"""Leaving spreadsheets behind: importing a tracking plan (upload, column mapping, preview,
all-or-nothing commit) and exporting the catalogue as CSV, JSON Schema or YAML."""

import json
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from productops.accounts.models import Team
from telemetry import code_sync, conventions, plan_import, tracking_plan
from telemetry.catalogue import filtered_events
from telemetry.events_cli import codegen
from telemetry.forms import ImportUploadForm
from telemetry.models import PlanImport

EXPORT_FORMATS = {"csv", "json", "yaml"}
HELPER_LANGUAGES = {"ts": "ts", "python": "py"}


@login_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan_import.plan_imports_prune()
        upload = form.cleaned_data["file"]
        job = PlanImport(
            token=secrets.token_urlsafe(12),
            team=form.cleaned_data["team"],
            created_by=request.user,
            format=form.cleaned_data["format"],
            filename=upload.name[:200],
            data=upload.read(),
        )
        try:
            if job.format in {"csv", "xlsx"}:
                job.headers, _ = tracking_plan.read_table(bytes(job.data), job.format)
                job.save()
                return redirect("telemetry:import_mapping", token=job.token)
        except tracking_plan.PlanError as exc:
            form.add_error("file", str(exc))
        else:
            job.save()
            job = plan_import.plan_import_start(job=job)
            if job.status == PlanImport.Status.FAILED:
                form.add_error("file", job.error)
                job.delete()
            else:
                return redirect("telemetry:import_preview", token=job.token)
    return render(
        request,
        "telemetry/import_upload.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _import_job(request, token) -> PlanImport | None:
    """The person's own import; anyone else's token reads as expired."""
    job = (
        PlanImport.objects.select_related("team", "created_by")
        .filter(token=token, created_by=request.user)
        .first()
    )
    if job is None or job.status == PlanImport.Status.DONE:
        messages.error(request, "That import has expired or is not yours; upload the file again.")
    return job if job is not None and job.status != PlanImport.Status.DONE else None


@login_required
def import_mapping(request, token):
    job = _import_job(request, token)
    if job is None:
        return redirect("telemetry:import_upload")
    headers = job.headers
    guessed = job.mapping or tracking_plan.guess_mapping(headers)
    error = ""
    if request.method == "POST":
        mapping = {}
        for target in tracking_plan.TARGET_FIELDS:
            column = request.POST.get(target, "")
            if column and column not in headers:
                error = f"“{column}” is not a column of the file."
            if column:
                mapping[target] = column
        if not mapping.get("event"):
            error = "Choose the column that holds the event name."
        if not error:
            job.mapping = mapping
            job.save(update_fields=["mapping", "updated_at"])
            plan_import.plan_import_start(job=job)
            return redirect("telemetry:import_preview", token=token)
        guessed = mapping
    fields = [
        (target, tracking_plan.FIELD_LABELS[target], guessed.get(target, ""))
        for target in tracking_plan.TARGET_FIELDS
    ]
    return render(
        request,
        "telemetry/import_mapping.html",
        {"token": token, "headers": headers, "fields": fields, "state": job, "error": error},
        status=400 if error else 200,
    )


def _render_preview(request, job, *, status=200):
    events, invalid = plan_import.parsed_plan(job)
    preview = plan_import.import_preview(
        team=job.team, by=request.user, events=events, invalid=invalid
    )
    return render(
        request,
        "telemetry/import_preview.html",
        {"preview": preview, "state": job, "team": job.team, "token": job.token},
        status=status,
    )


def _finished(request, job):
    messages.success(
        request,
        f"Imported {job.result['created']} new and updated {job.result['updated']} events "
        f"into {job.team.name}.",
    )
    return redirect(f"{_url('telemetry:index')}?team={job.team.slug}")


@login_required
def import_preview(request, token):
    job = (
        PlanImport.objects.select_related("team", "created_by")
        .filter(token=token, created_by=request.user)
        .first()
    )
    if job is None:
        messages.error(request, "That import has expired or is not yours; upload the file again.")
        return redirect("telemetry:import_upload")
    if job.status == PlanImport.Status.DONE and job.result:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{_url('telemetry:index')}?team={job.team.slug}"
            return response
        return _finished(request, job)
    if job.status == PlanImport.Status.UPLOADED:
        # A sheet whose columns are not mapped yet.
        return redirect("telemetry:import_mapping", token=job.token)
    if job.working:
        # A worker is reading or importing a big file: the page polls this fragment.
        context = {"state": job, "team": job.team, "token": job.token}
        if request.htmx:
            return render(request, "telemetry/import_preview.html#progress", context)
        return render(request, "telemetry/import_preview.html", context)
    if job.status == PlanImport.Status.FAILED:
        messages.error(request, job.error)
        return redirect("telemetry:import_upload")
    if request.htmx and request.htmx.target == "import-progress":
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if request.method == "POST":
        job = plan_import.plan_import_request_commit(job=job, by=request.user)
        if job.status == PlanImport.Status.DONE:
            return _finished(request, job)
        if job.working:
            return redirect("telemetry:import_preview", token=job.token)
        messages.error(request, job.error)
        return _render_preview(request, job, status=400)
    return _render_preview(request, job)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404(f"There is no “{fmt}” export; use .csv, .json or .yaml.")
    _, events = filtered_events(request.GET)
    rows = plan_import.export_rows(events.order_by("name"))
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(
            tracking_plan.export_csv(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="tracking-plan-{stamp}.csv"'
    elif fmt == "json":
        response = HttpResponse(
            json.dumps(tracking_plan.export_json_schema(rows), indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="tracking-plan-{stamp}.schema.json"'
        )
    else:  # yaml
        current = conventions.current_convention()
        body = tracking_plan.export_yaml(
            convention=current.convention.to_dict(),
            convention_version=current.version.number if current.version else None,
            events=rows,
        )
        response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tracking-plan-{stamp}.yaml"'
    return response


@login_required
def helpers(request, lang):
    """Typed tracking helpers for one team's events (or all), as the API and the CLI generate them."""
    if lang not in HELPER_LANGUAGES:
        raise Http404(f"There are no “{lang}” helpers; choose TypeScript (ts) or Python (python).")
    team = None
    if request.GET.get("team"):
        team = get_object_or_404(Team, slug=request.GET["team"])
    source = codegen.generate(code_sync.codegen_events(team=team), lang)
    name = f"{team.slug if team else 'events'}-events.{HELPER_LANGUAGES[lang]}"
    response = HttpResponse(source, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
