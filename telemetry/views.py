from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from productops import page_cache
from productops.accounts.models import AuditEntry, Team
from telemetry import linting, services
from telemetry.catalogue import LIST_COLUMNS, CountedPaginator, catalogue_filter, catalogue_rows
from telemetry.forms import (
    EventForm,
    ExceptionForm,
    PropertyRowFormSet,
    property_rows_initial,
)
from telemetry.locations import EventLocation
from telemetry.models import (
    Event,
    EventProperty,
    Property,
    Tag,
)
from telemetry.properties import event_set_properties, property_conflicts

PAGE_SIZE = 25


def _get_event(pk) -> Event:
    return get_object_or_404(Event.objects.select_related("team"), pk=pk)


def _get_event_for_member(request, pk) -> Event:
    """The event, if the signed-in person is in its owning team; everyone else gets 403."""
    event = _get_event(pk)
    if not services.can_edit_event(request.user, event):
        raise PermissionDenied(f"Only members of {event.team.name} can change this event.")
    return event


@login_required
@page_cache.per_person
def index(request):
    """The catalogue: everyone signed in can browse and search every team's events."""
    catalogue = catalogue_filter(request.GET)
    events = catalogue.events.select_related("team").only(*LIST_COLUMNS).order_by("name")
    page = CountedPaginator(events, PAGE_SIZE, count=catalogue.count).get_page(
        request.GET.get("page")
    )
    page.object_list = catalogue_rows(page.object_list)
    context = {
        "form": catalogue.form,
        "page": page,
        "filtering": any(v for k, v in request.GET.items() if k != "page"),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "telemetry/index.html#results", context)
    context.update(
        teams=Team.objects.order_by("name"),
        tags=Tag.objects.order_by("name").values_list("name", flat=True)[:200],
        my_team_ids=set(request.user.memberships.values_list("team_id", flat=True)),
    )
    return render(request, "telemetry/index.html", context)


@login_required
@page_cache.per_person
def event_detail(request, pk):
    event = get_object_or_404(
        Event.objects.select_related("team", "linted_convention", "created_by").prefetch_related(
            "platforms",
            "tags",
            "aliases",
            "used_by",
            Prefetch("event_properties", queryset=EventProperty.objects.select_related("property")),
            Prefetch("locations", queryset=EventLocation.objects.select_related("team")),
        ),
        pk=pk,
    )
    merges = list(event.merges.select_related("source_team", "merged_by"))
    history = _history(event, merges)
    my_teams = list(Team.objects.for_user(request.user).order_by("name"))
    using_ids = {t.pk for t in event.used_by.all()}
    return render(
        request,
        "telemetry/event_detail.html",
        {
            "event": event,
            "history": history,
            "merges": merges,
            "can_edit": any(t.pk == event.team_id for t in my_teams),
            "usage_teams": [t for t in my_teams if t.pk != event.team_id],
            "using_ids": using_ids,
            "exception_form": ExceptionForm(),
        },
    )


HISTORY_TEXT = {
    "telemetry.event.registered": "registered it",
    "telemetry.event.edited": "edited",
    "telemetry.event.renamed": "renamed it",
    "telemetry.event.properties_set": "changed its properties",
    "telemetry.event.exception_set": "kept the name on purpose",
    "telemetry.event.exception_cleared": "removed the exception",
    "telemetry.event.used": "said their team sends it",
    "telemetry.event.reused": "reused it in their team's plan",
    "telemetry.event.unused": "said their team stopped sending it",
    "telemetry.event.merged": "merged another event into it",
}


_PART_OF_REGISTERING = {"telemetry.event.exception_set", "telemetry.event.properties_set"}


def _history(event: Event, merges: list) -> list[dict]:
    """One line per thing that happened, newest first, including to events merged into this one.

    Registering with the no_lint escape hatch writes two audit entries at once (registered, then
    exception set); they read as one line. An event imported or loaded without an audit entry
    gets a single "first registered" line from the event itself.
    """
    ids = [str(event.pk)] + [str(m.source_id) for m in merges]
    entries = (
        AuditEntry.objects.filter(target_type="telemetry.event", target_id__in=ids)
        .select_related("actor")
        .order_by("-created_at", "-id")[:40]
    )
    names = {str(m.source_id): m.source_name for m in merges}
    lines: list[dict] = []
    for entry in entries:
        text = HISTORY_TEXT.get(entry.action, entry.action.rsplit(".", 1)[-1].replace("_", " "))
        if entry.target_id in names:
            text += f" (as “{names[entry.target_id]}”, before it was merged here)"
        line = {
            "action": entry.action,
            "target": entry.target_id,
            "text": text,
            "reason": entry.reason,
            "data": entry.data,
            "when": entry.created_at,
            "actor": entry.actor,
        }
        # Newest first, so what a registration wrote alongside it sits just above it.
        while (
            entry.action == "telemetry.event.registered"
            and lines
            and lines[-1]["action"] in _PART_OF_REGISTERING
            and lines[-1]["target"] == entry.target_id
            and lines[-1]["actor"] == entry.actor
            and (lines[-1]["when"] - entry.created_at).total_seconds() < 60
        ):
            part = lines.pop()
            if part["action"] == "telemetry.event.exception_set":
                line["text"] += " and kept the name on purpose"
                line["reason"] = part["reason"]
            else:
                count = len(part["data"].get("properties", []))
                line["text"] += f" with {count} propert{'y' if count == 1 else 'ies'}"
        lines.append(line)
    if not any(
        line["action"] == "telemetry.event.registered" and line["target"] == str(event.pk)
        for line in lines
    ):
        lines.append(
            {
                "action": "created",
                "target": str(event.pk),
                "text": "first registered",
                "reason": "",
                "data": {},
                "when": event.created_at,
                "actor": event.created_by,
            }
        )
    return lines


def _lint_context(request, *, exclude_event=None):
    name = request.GET.get("name", "")
    team = None
    if request.GET.get("team", "").isdigit():
        team = Team.objects.filter(pk=request.GET["team"]).first()
    try:
        name = services.clean_name(name)
    except ValidationError as exc:
        return {
            "lint_name": name,
            "lint_error": exc.message_dict["name"][0] if name.strip() else "",
        }
    result = linting.lint_names([name], team=team, exclude_event=exclude_event)[0]
    # Reusing an event is offered while registering, to the team the person is in.
    if team is not None and (exclude_event is not None or not request.user.is_member_of(team)):
        team = None
    return {"lint_name": name, "lint": result, "lint_team": team}


def _property_rows(request, initial: list[dict]):
    """The property editor's rows, and whether the person only added or removed a row.

    Adding and removing post the whole form back (htmx swaps just the rows; without
    JavaScript the page comes back), so nothing is saved until "Save".
    """
    if request.method != "POST" or "properties-TOTAL_FORMS" not in request.POST:
        # A post without the editor (a script, an old page) leaves the properties as they are.
        return PropertyRowFormSet(initial=initial, prefix="properties"), None
    data = request.POST.copy()
    action = None
    total = data.get("properties-TOTAL_FORMS", "")
    if "add_property" in data and total.isdigit():
        data["properties-TOTAL_FORMS"] = str(min(int(total) + 1, 200))
        action = "add"
    elif data.get("remove_property", "").isdigit():
        data[f"properties-{data['remove_property']}-DELETE"] = "on"
        action = "remove"
    return PropertyRowFormSet(data, initial=initial, prefix="properties"), action


def _rows_valid(formset) -> bool:
    return formset.is_valid() if formset.is_bound else True


def _unsaved(request) -> dict:
    """The event fields as typed, to show again after adding or removing a property row."""
    return {**request.POST.dict(), "platforms": request.POST.getlist("platforms")}


def _save_errors(exc: ValidationError, form) -> list[str]:
    """Service errors onto the form's fields; the property rows' errors come back for the editor."""
    property_errors = []
    for field_name, errors in exc.message_dict.items():
        if field_name == "properties":
            property_errors += errors
        else:
            form.add_error(field_name if field_name in form.fields else None, errors)
    return property_errors


@login_required
def event_new(request):
    if request.htmx and "check" in request.GET:
        return render(request, "telemetry/event_form.html#lint-result", _lint_context(request))
    if not Team.objects.for_user(request.user).exists():
        raise PermissionDenied(
            "Join a team to register events; you can still browse the catalogue."
        )
    initial = {}
    if request.GET.get("team"):
        team = Team.objects.for_user(request.user).filter(slug=request.GET["team"]).first()
        initial["team"] = team
    if request.GET.get("name"):
        initial["name"] = request.GET["name"][:200]
    formset, action = _property_rows(request, [])
    if action and request.htmx:
        return render(request, "telemetry/event_form.html#property-rows", {"formset": formset})
    if action:
        form = EventForm(user=request.user, initial=_unsaved(request))
    else:
        form = EventForm(request.POST or None, user=request.user, initial=initial)
    property_errors = []
    if request.method == "POST" and not action and all([form.is_valid(), _rows_valid(formset)]):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                event = services.event_register(
                    team=data["team"],
                    name=data["name"],
                    by=request.user,
                    description=data["description"],
                    status=data["status"],
                    platforms=data["platforms"],
                    tags=data["tags"],
                    example_payload=data["example_payload"],
                )
                if formset.is_bound and formset.rows():
                    event_set_properties(event=event, by=request.user, rows=formset.rows())
        except ValidationError as exc:
            property_errors = _save_errors(exc, form)
        else:
            if event.lint_state == Event.LintState.WARNINGS:
                messages.warning(
                    request,
                    f"“{event.name}” is registered. It breaks the convention in {len(event.lint_violations)} "
                    "way(s); the event page shows how to fix it whenever you like.",
                )
            else:
                messages.success(
                    request, f"“{event.name}” is registered and follows the convention."
                )
            return redirect(event)
    context = {
        "form": form,
        "formset": formset,
        "property_errors": property_errors,
        "event": None,
    }
    if request.method == "POST" or initial.get("name"):
        name = request.POST.get("name") if request.method == "POST" else initial["name"]
        team_id = (
            request.POST.get("team")
            if request.method == "POST"
            else getattr(initial.get("team"), "pk", "")
        )
        request.GET = request.GET.copy()
        request.GET.update({"name": name or "", "team": str(team_id or "")})
        context.update(_lint_context(request))
    invalid = request.method == "POST" and not action
    return render(request, "telemetry/event_form.html", context, status=400 if invalid else 200)


@login_required
def event_edit(request, pk):
    event = _get_event_for_member(request, pk)
    if request.htmx and "check" in request.GET:
        request.GET = request.GET.copy()
        request.GET["team"] = str(event.team_id)
        return render(
            request,
            "telemetry/event_form.html#lint-result",
            _lint_context(request, exclude_event=event.pk),
        )
    initial = {
        "team": event.team,
        "name": event.name,
        "description": event.description,
        "status": event.status,
        "platforms": list(event.platforms.values_list("code", flat=True)),
        "tags": ", ".join(event.tags.values_list("name", flat=True)),
        "example_payload": event.example_payload,
    }
    formset, action = _property_rows(request, property_rows_initial(event))
    if action and request.htmx:
        return render(
            request,
            "telemetry/event_form.html#property-rows",
            {"formset": formset, "event": event},
        )
    if action:
        form = EventForm(user=request.user, event=event, initial={**initial, **_unsaved(request)})
    else:
        form = EventForm(request.POST or None, user=request.user, event=event, initial=initial)
    property_errors = []
    if request.method == "POST" and not action and all([form.is_valid(), _rows_valid(formset)]):
        data = form.cleaned_data
        renamed_from = event.name
        try:
            with transaction.atomic():
                event = services.event_update(
                    event=event,
                    by=request.user,
                    name=data["name"],
                    description=data["description"],
                    status=data["status"],
                    platforms=data["platforms"],
                    tags=data["tags"],
                    example_payload=data["example_payload"],
                )
                if formset.is_bound and formset.has_changed():
                    event_set_properties(event=event, by=request.user, rows=formset.rows())
        except ValidationError as exc:
            event.name = renamed_from
            property_errors = _save_errors(exc, form)
        else:
            if renamed_from != event.name:
                messages.success(
                    request,
                    f"Renamed to “{event.name}”. “{renamed_from}” stays as an alias pointing here.",
                )
            else:
                messages.success(request, "Saved.")
            return redirect(event)
    request.GET = request.GET.copy()
    request.GET.update({"name": request.POST.get("name", event.name), "team": str(event.team_id)})
    context = {
        "form": form,
        "formset": formset,
        "property_errors": property_errors,
        "event": event,
        **_lint_context(request, exclude_event=event.pk),
    }
    invalid = request.method == "POST" and not action
    return render(request, "telemetry/event_form.html", context, status=400 if invalid else 200)


@login_required
@require_POST
def event_exception(request, pk):
    event = _get_event_for_member(request, pk)
    if request.POST.get("clear"):
        services.event_clear_exception(event=event, by=request.user)
        messages.success(
            request, "The exception is removed; the name is checked against the convention again."
        )
        return redirect(event)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.event_set_exception(
                event=event, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict["reason"])
    if form.errors:
        messages.error(request, f"Reason: {form.errors['reason'][0]}")
        return redirect(event)
    messages.success(
        request, "Exception recorded. The name keeps its warnings off, with your reason visible."
    )
    return redirect(event)


@login_required
@require_POST
def event_usage(request, pk):
    event = _get_event(pk)
    team = get_object_or_404(Team, slug=request.POST.get("team", ""))
    services.event_set_usage(
        event=event, team=team, by=request.user, using=request.POST.get("using") == "1"
    )
    return redirect(event)


@login_required
@page_cache.per_person
def property_list(request):
    properties = (
        Property.objects.select_related("team")
        .annotate(events=Count("event_properties"))
        .order_by("name")
    )
    q = request.GET.get("q", "").strip()[:200]
    if q:
        properties = properties.filter(name__icontains=q)
    page = Paginator(properties, 50).get_page(request.GET.get("page"))
    conflicts = property_conflicts()
    for prop in page:
        prop.conflict = conflicts.get(prop.name)
    return render(request, "telemetry/properties.html", {"page": page, "q": q})


@login_required
@page_cache.per_person
def property_detail(request, pk):
    """A shared property: its definition, the events that send it, and other spellings' types."""
    prop = get_object_or_404(Property.objects.select_related("team"), pk=pk)
    uses = (
        EventProperty.objects.filter(property=prop)
        .select_related("event__team")
        .order_by("event__name")[:200]
    )
    conflict = property_conflicts().get(prop.name)
    others = []
    if conflict:
        spellings = [s for names in conflict.types.values() for s in names if s != prop.name]
        others = (
            Property.objects.filter(name__in=spellings)
            .annotate(events=Count("event_properties"))
            .order_by("name")
        )
    return render(
        request,
        "telemetry/property_detail.html",
        {
            "property": prop,
            "uses": uses,
            "use_count": EventProperty.objects.filter(property=prop).count(),
            "conflict": conflict,
            "others": others,
            "can_edit": prop.can_be_edited_by(request.user),
        },
    )
