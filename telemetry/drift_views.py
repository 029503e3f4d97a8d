"""Drift pages: the organisation's overview, each team's list with one-click actions, and sources."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from productops.accounts.models import Team
from telemetry import drift_actions
from telemetry.models import DriftItem, Event, Source

PER_KIND = 200
KIND_ORDER = [k for k, _ in DriftItem.Kind.choices]


def _get_drift_for_member(request, pk) -> DriftItem:
    """The drift item, if the signed-in person may act on it; everyone else gets 403."""
    item = get_object_or_404(DriftItem.objects.select_related("team", "event__team"), pk=pk)
    if not drift_actions.can_act_on(request.user, item):
        raise PermissionDenied(
            f"Only members of {item.team.name if item.team else 'the owning team'} can act on this."
        )
    return item


def _error_text(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


def _back(item: DriftItem):
    if item.team:
        return redirect("telemetry:team_drift", item.team.slug)
    return redirect("telemetry:drift")


@login_required
def drift(request):
    """Every team's open drift at a glance; ProductOps admins also see what no team owns yet."""
    counts: dict = {}
    for team_id, kind, n in (
        DriftItem.objects.filter(resolved_at=None)
        .values_list("team_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(team_id, {})[kind] = n
    rows = [
        {
            "team": team,
            "counts": [counts.get(team.pk, {}).get(kind, 0) for kind in KIND_ORDER],
            "total": sum(counts.get(team.pk, {}).values()),
        }
        for team in Team.objects.order_by("name")
    ]
    context = {
        "rows": rows,
        "kinds": DriftItem.Kind.choices,
        "unassigned_total": sum(counts.get(None, {}).values()),
    }
    if request.user.is_productops_admin:
        context["unassigned_sources"] = Source.objects.filter(team=None).order_by("key")[:500]
        context["unassigned_items"] = DriftItem.objects.filter(
            team=None, resolved_at=None
        ).order_by("kind", "name")[:PER_KIND]
        context["teams"] = Team.objects.order_by("name")
    return render(request, "telemetry/drift.html", context)


@login_required
def team_drift(request, slug):
    team = get_object_or_404(Team, slug=slug)
    items = DriftItem.objects.filter(team=team, resolved_at=None).select_related("event")
    groups = []
    totals = dict(
        items.values_list("kind").annotate(n=Count("id")).order_by().values_list("kind", "n")
    )
    for kind, label in DriftItem.Kind.choices:
        if totals.get(kind):
            groups.append(
                {
                    "kind": kind,
                    "label": label,
                    "total": totals[kind],
                    "items": list(items.filter(kind=kind).order_by("name", "detail")[:PER_KIND]),
                }
            )
    is_member = request.user.is_member_of(team)
    return render(
        request,
        "telemetry/team_drift.html",
        {
            "team": team,
            "groups": groups,
            "total": sum(totals.values()),
            "sources": Source.objects.filter(team=team).order_by("key"),
            "is_member": is_member,
            "can_act": is_member or request.user.is_productops_admin,
        },
    )


@login_required
@require_POST
def drift_register(request, pk):
    item = _get_drift_for_member(request, pk)
    try:
        event = drift_actions.drift_register(
            item=item, by=request.user, use_suggestion=request.POST.get("as") == "suggestion"
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(item)
    messages.success(request, f"“{event.name}” is registered with the properties it is sent with.")
    return redirect(event)


@login_required
@require_POST
def drift_alias(request, pk):
    item = _get_drift_for_member(request, pk)
    raw = request.POST.get("into", "")
    into = get_object_or_404(
        Event.objects.select_related("team"), pk=int(raw) if raw.isdigit() else 0
    )
    try:
        drift_actions.drift_alias(item=item, into=into, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(item)
    messages.success(request, f"“{item.name}” now counts as “{into.name}”.")
    return _back(item)


@login_required
@require_POST
def drift_deprecate(request, pk):
    item = _get_drift_for_member(request, pk)
    try:
        drift_actions.drift_deprecate(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(item)
    messages.success(request, f"“{item.name}” is deprecated.")
    return _back(item)


@login_required
@require_POST
def drift_fix_type(request, pk):
    item = _get_drift_for_member(request, pk)
    try:
        drift_actions.drift_fix_type(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(item)
    messages.success(
        request, f"{item.detail} on “{item.name}” is now {item.data.get('suggested')}, as sent."
    )
    return _back(item)


@login_required
@require_POST
def source_claim(request, slug):
    team = get_object_or_404(Team, slug=slug)
    try:
        source = drift_actions.source_claim(
            key=request.POST.get("key", ""), team=team, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Events from {source.key} now count for {team.name}.")
    return redirect("telemetry:team_drift", team.slug)


@login_required
@require_POST
def source_assign(request, pk):
    source = get_object_or_404(Source.objects.select_related("team"), pk=pk)
    raw = request.POST.get("team", "")
    team = get_object_or_404(Team, pk=int(raw)) if raw.isdigit() else None
    drift_actions.source_assign(source=source, team=team, by=request.user)
    messages.success(
        request, f"{source.key} now counts for {team.name if team else 'no team (unassigned)'}."
    )
    if team and request.user.is_member_of(team):
        return redirect("telemetry:team_drift", team.slug)
    return redirect("telemetry:drift")
