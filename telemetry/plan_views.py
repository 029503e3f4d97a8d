"""Leaving spreadsheets behind: importing a tracking plan (upload, column mapping, preview,
all-or-nothing commit) and exporting the catalogue as CSV, JSON Schema or YAML."""

import json
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from productops.accounts.models import Team
from telemetry import conventions, plan_import, tracking_plan
from telemetry.catalogue import filtered_events
from telemetry.forms import ImportUploadForm

IMPORT_TTL = 60 * 60


def _import_key(request, token: str) -> str:
    return f"telemetry:import:{request.user.pk}:{token}"


@login_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(12)
        state = {
            "team": form.cleaned_data["team"].pk,
            "format": form.cleaned_data["format"],
            "filename": upload.name[:200],
            "data": upload.read(),
            "mapping": None,
        }
        try:
            if state["format"] in {"csv", "xlsx"}:
                headers, _ = tracking_plan.read_table(state["data"], state["format"])
                state["headers"] = headers
                cache.set(_import_key(request, token), state, IMPORT_TTL)
                return redirect("telemetry:import_mapping", token=token)
            plan_import.parse(state["data"], state["format"])
        except tracking_plan.PlanError as exc:
            form.add_error("file", str(exc))
        else:
            cache.set(_import_key(request, token), state, IMPORT_TTL)
            return redirect("telemetry:import_preview", token=token)
    return render(
        request,
        "telemetry/import_upload.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _import_state(request, token):
    state = cache.get(_import_key(request, token))
    if state is None:
        messages.error(request, "That import has expired or is not yours; upload the file again.")
    return state


@login_required
def import_mapping(request, token):
    state = _import_state(request, token)
    if state is None:
        return redirect("telemetry:import_upload")
    headers = state["headers"]
    guessed = state["mapping"] or tracking_plan.guess_mapping(headers)
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
            state["mapping"] = mapping
            cache.set(_import_key(request, token), state, IMPORT_TTL)
            return redirect("telemetry:import_preview", token=token)
        guessed = mapping
    fields = [(target, guessed.get(target, "")) for target in tracking_plan.TARGET_FIELDS]
    return render(
        request,
        "telemetry/import_mapping.html",
        {"token": token, "headers": headers, "fields": fields, "state": state, "error": error},
        status=400 if error else 200,
    )


@login_required
def import_preview(request, token):
    state = _import_state(request, token)
    if state is None:
        return redirect("telemetry:import_upload")
    team = get_object_or_404(Team, pk=state["team"])
    try:
        events, invalid = plan_import.parse(state["data"], state["format"], state["mapping"])
        if request.method == "POST":
            preview = plan_import.import_commit(
                team=team, by=request.user, events=events, invalid=invalid, source=state["filename"]
            )
            cache.delete(_import_key(request, token))
            messages.success(
                request,
                f"Imported {len(preview.create)} new and updated {len(preview.update)} events into {team.name}.",
            )
            return redirect(f"{_url('telemetry:index')}?team={team.slug}")
        preview = plan_import.import_preview(
            team=team, by=request.user, events=events, invalid=invalid
        )
    except tracking_plan.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("telemetry:import_upload")
    except ValidationError as exc:
        events, invalid = plan_import.parse(state["data"], state["format"], state["mapping"])
        preview = plan_import.import_preview(
            team=team, by=request.user, events=events, invalid=invalid
        )
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return render(
            request,
            "telemetry/import_preview.html",
            {"preview": preview, "state": state, "team": team, "token": token},
            status=400,
        )
    return render(
        request,
        "telemetry/import_preview.html",
        {"preview": preview, "state": state, "team": team, "token": token},
    )


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def export(request, fmt):
    if fmt not in {"csv", "json", "yaml"}:
        raise Http404("Export as csv, json or yaml.")
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
    else:
        current = conventions.current_convention()
        body = tracking_plan.export_yaml(
            convention=current.convention.to_dict(),
            convention_version=current.version.number if current.version else None,
            events=rows,
        )
        response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tracking-plan-{stamp}.yaml"'
    return response
