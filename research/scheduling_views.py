"""Researcher pages for scheduling: a request's schedule, one's calendar, ProductOps metrics."""

import statistics

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from research import invitations, outcomes
from research.models import Booking, Invitation, ResearchRequest
from research.views import get_request_for_viewer


def _get_request_for_editor(request, pk) -> ResearchRequest:
    research_request = get_request_for_viewer(request, pk)
    if not research_request.can_be_edited_by(request.user):
        raise PermissionDenied(
            "Only the request's researcher and ProductOps admins can schedule it."
        )
    return research_request


@login_required
@require_http_methods(["GET", "POST"])
def request_schedule(request, pk):
    research_request = get_request_for_viewer(request, pk)
    if request.method == "POST":
        research_request = _get_request_for_editor(request, pk)
        if request.POST.get("action") == "settings":
            return _settings_save(request, research_request)
        raw = request.POST.get("wave_size", "").strip()
        try:
            wave = int(raw) if raw else None
            if wave is not None and not 1 <= wave <= 500:
                raise ValueError
        except ValueError:
            messages.error(
                request, "Wave size must be a whole number from 1 to 500, or empty for all."
            )
            return redirect("research:request_schedule", pk=pk)
        try:
            result = invitations.invitations_send(
                request=research_request, by=request.user, wave_size=wave
            )
        except ValueError as e:
            messages.error(request, str(e))
            return redirect("research:request_schedule", pk=pk)
        messages.success(request, f"{len(result.sent)} invitation(s) sent.")
        for person, reason in result.refused:
            messages.warning(request, f"Not invited: {person.name}: {reason}")
        return redirect("research:request_schedule", pk=pk)
    bookings = list(
        Booking.objects.filter(request=research_request)
        .exclude(status__in=[Booking.Status.HELD, Booking.Status.RELEASED])
        .select_related("participant", "researcher")
        .order_by("starts_at")
    )
    invited = list(
        Invitation.objects.filter(request=research_request)
        .select_related("participant")
        .order_by("-sent_at")[:200]
    )
    return render(
        request,
        "research/schedule.html",
        {
            "req": research_request,
            "funnel": outcomes.request_funnel(research_request),
            "bookings": bookings,
            "invitations": invited,
            "can_edit": research_request.can_be_edited_by(request.user),
            "now": timezone.now(),
            "settings_form": _settings_form(research_request),
        },
    )


def _settings_form(research_request, data=None):
    from research.availability_views import SchedulingSettingsForm

    current = invitations.scheduling_for(research_request)
    initial = {"screener_text": "\n".join(q.get("question", "") for q in current.screener)}
    return SchedulingSettingsForm(data, instance=current, initial=initial)


def _settings_save(request, research_request):
    form = _settings_form(research_request, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for m in errors:
                messages.error(request, f"{label or field}: {m}")
        return redirect("research:request_schedule", pk=research_request.pk)
    saved = form.save(commit=False)
    saved.screener = [{"question": q} for q in form.cleaned_data["screener_text"]]
    saved.save()
    messages.success(request, "Scheduling settings saved.")
    return redirect("research:request_schedule", pk=research_request.pk)


@login_required
@require_POST
def booking_outcome(request, pk):
    booking = get_object_or_404(Booking.objects.select_related("request"), pk=pk)
    get_request_for_viewer(request, booking.request_id)
    try:
        outcomes.booking_outcome(
            booking=booking, outcome=request.POST.get("outcome", ""), by=request.user
        )
    except ValidationError as e:
        for errors in e.message_dict.values():
            for m in errors:
                messages.error(request, m)
    return redirect("research:request_schedule", pk=booking.request_id)


@login_required
def calendar(request):
    sessions = (
        Booking.objects.filter(
            researcher=request.user, starts_at__gte=timezone.now() - timezone.timedelta(days=7)
        )
        .exclude(
            status__in=[Booking.Status.HELD, Booking.Status.RELEASED, Booking.Status.CANCELLED]
        )
        .select_related("participant", "request")
        .order_by("starts_at")[:200]
    )
    return render(request, "research/calendar.html", {"sessions": sessions})


def scheduling_metrics(*, team_ids=None) -> dict:
    """Median time from request to first confirmed session, fill rate, no-show rate, invitations per completion."""
    requests = ResearchRequest.objects.all()
    if team_ids is not None:
        requests = requests.filter(team_id__in=team_ids)
    firsts = (
        requests.annotate(first=Min("invitations__bookings__confirmed_at"))
        .filter(first__isnull=False)
        .values_list("created_at", "first")
    )
    hours = [(f - c).total_seconds() / 3600 for c, f in firsts]
    b = Booking.objects.filter(request__in=requests).aggregate(
        completed=Count("id", filter=Q(status="completed")),
        no_show=Count("id", filter=Q(status="no_show")),
        booked=Count("id", filter=Q(status__in=["confirmed", "completed", "no_show"])),
    )
    needed = sum(
        requests.filter(invitations__isnull=False)
        .distinct()
        .values_list("participants_needed", flat=True)
    )
    invited = Invitation.objects.filter(request__in=requests).count()
    held = b["completed"] + b["no_show"]
    return {
        "median_hours_to_first_session": round(statistics.median(hours), 1) if hours else None,
        "fill_rate": round(b["booked"] / needed, 3) if needed else None,
        "no_show_rate": round(b["no_show"] / held, 3) if held else None,
        "invitations_per_completed_session": round(invited / b["completed"], 2)
        if b["completed"]
        else None,
    }


@login_required
def metrics(request):
    if not request.user.is_productops_admin:
        raise PermissionDenied("Scheduling metrics across teams are for ProductOps admins.")
    return render(request, "research/scheduling_metrics.html", {"m": scheduling_metrics()})
