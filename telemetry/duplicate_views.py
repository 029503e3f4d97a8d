"""Pages that resolve duplicates: reuse an existing event, the duplicate report, and merging."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from productops.accounts.models import Team
from telemetry import merging
from telemetry.duplicate_report import duplicate_report
from telemetry.models import Event, EventProperty


@login_required
@require_POST
def event_reuse(request, pk):
    """“This event already exists: reuse it”: the team sends the existing event, no copy is made."""
    event = get_object_or_404(Event.objects.select_related("team"), pk=pk)
    team = get_object_or_404(Team.objects.for_user(request.user), pk=request.POST.get("team") or 0)
    if merging.event_reuse(event=event, team=team, by=request.user):
        messages.success(
            request,
            f"“{event.name}” is now in {team.name}'s plan; nothing was copied. "
            f"{event.team.name} owns its definition.",
        )
    elif event.team_id == team.pk:
        messages.info(request, f"“{event.name}” is already {team.name}'s own event.")
    else:
        messages.info(request, f"{team.name} already sends “{event.name}”.")
    return redirect(event)


@login_required
def duplicates(request, slug=None):
    """Look-alike events across the organisation, or those touching one team."""
    team = get_object_or_404(Team, slug=slug) if slug else None
    groups = duplicate_report(team=team)
    my_team_ids = set(request.user.memberships.values_list("team_id", flat=True))
    for group in groups:
        group.mergeable = [
            e
            for e in group.events[1:]
            if request.user.is_productops_admin or e.team_id in my_team_ids
        ]
    return render(
        request,
        "telemetry/duplicates.html",
        {
            "team": team,
            "groups": groups,
            "teams": Team.objects.order_by("name"),
            "event_count": sum(len(g.events) for g in groups),
        },
    )


@login_required
def event_merge(request, pk):
    """Confirm, then fold this event into another; its name lives on as an alias there."""
    source = get_object_or_404(Event.objects.select_related("team"), pk=pk)
    if not merging.can_merge(request.user, source):
        raise PermissionDenied(
            f"Only members of {source.team.name} (or ProductOps admins) can merge this event away."
        )
    raw = request.POST.get("into") or request.GET.get("into") or ""
    into = get_object_or_404(
        Event.objects.select_related("team"), pk=int(raw) if raw.isdigit() else 0
    )
    if request.method == "POST":
        try:
            merging.event_merge(
                source=source, into=into, by=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
            return redirect(source)
        messages.success(
            request,
            f"“{source.name}” is merged into “{into.name}” and stays as its old name; "
            "its properties, users and history are here now.",
        )
        return redirect(into)
    moving = (
        EventProperty.objects.filter(event=source)
        .exclude(property__in=EventProperty.objects.filter(event=into).values("property"))
        .select_related("property")
    )
    return render(
        request,
        "telemetry/event_merge.html",
        {"source": source, "into": into, "moving": moving},
    )


@login_required
@require_POST
def apply_suggestions(request, slug):
    """A team renames its flagged events to the suggested names at once (old names stay aliases)."""
    team = get_object_or_404(Team, slug=slug)
    if not request.user.is_member_of(team):
        raise PermissionDenied(f"Only members of {team.name} can rename its events.")
    ids = None
    if not request.POST.get("all"):
        ids = [int(pk) for pk in request.POST.getlist("event") if pk.isdigit()]
        if not ids:
            messages.error(request, "Tick the events to rename, or choose “Rename all”.")
            return redirect("telemetry:team_health", slug=team.slug)
    renamed, skipped = merging.suggestions_apply(team=team, by=request.user, event_ids=ids)
    if renamed:
        messages.success(
            request,
            f"Renamed {len(renamed)} event{'s' if len(renamed) != 1 else ''} to the suggested "
            "names; each old name stays as an alias, so data sent under it still resolves.",
        )
    for event, why in skipped[:10]:
        messages.warning(request, f"“{event.name}” kept its name: {why}")
    return redirect("telemetry:team_health", slug=team.slug)
