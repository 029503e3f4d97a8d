"""Participant-facing pages, reached from a signed link in an e-mail (no login).

Every page answers a bad link with a clear page and a 4xx, and changes nothing.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from research import availability, booking, calendar_ics, invitations
from research.models import Booking, Invitation

COMMON_ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
]


def _link_error(request, error: invitations.LinkError):
    return render(
        request, "research/booking/link_error.html", {"message": str(error)}, status=error.status
    )


def _invitation(request, token):
    return invitations.invitation_from_token(token)


def _zone(request, invitation) -> str:
    """The zone to show times in: the one picked (checked), else the participant's own."""
    picked = request.POST.get("tz") or request.GET.get("tz")
    if picked:
        return booking.parse_zone(picked)
    return invitation.participant.time_zone or "UTC"


def _zones(current):
    zones = list(COMMON_ZONES)
    if current not in zones:
        zones.insert(0, current)
    return zones


def _live(invitation):
    return (
        Booking.objects.filter(
            invitation=invitation, status__in=(Booking.Status.HELD, Booking.Status.CONFIRMED)
        )
        .order_by("-id")
        .first()
    )


def _slots_page(
    request, invitation, *, zone, error="", status=200, template="book", open_slots=None, live=None
):
    if open_slots is None:
        open_slots = availability.request_slots(
            request=invitation.request, exclude_booking_id=live.pk if live else None
        )
    days = booking.slots_for_viewer(open_slots, zone)
    return render(
        request,
        f"research/booking/{template}.html",
        {
            "invitation": invitation,
            "req": invitation.request,
            "token": request.resolver_match.kwargs["token"],
            "zone": zone,
            "zones": _zones(zone),
            "days": days,
            "error": error,
            "live": live,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def book(request, token):
    try:
        invitation = _invitation(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    live = _live(invitation)
    if live is not None and live.status == Booking.Status.CONFIRMED:
        # The link was used already: show the booking, never book a second time.
        return redirect("research:book_done", token=token)
    try:
        zone = _zone(request, invitation)
    except ValidationError as e:
        return _slots_page(
            request,
            invitation,
            zone=invitation.participant.time_zone or "UTC",
            error=e.message_dict["tz"][0],
            status=400,
        )
    if request.method == "GET":
        return _slots_page(request, invitation, zone=zone)
    try:
        start = booking.parse_slot(request.POST.get("slot", ""))
        booking.booking_hold(invitation=invitation, start=start, tz=zone)
    except ValidationError as e:
        return _slots_page(
            request,
            invitation,
            zone=zone,
            status=400,
            error=" ".join(m for ms in e.message_dict.values() for m in ms),
        )
    except booking.SlotTaken as e:
        return _slots_page(
            request, invitation, zone=zone, error=str(e), status=409, open_slots=e.remaining
        )
    return redirect("research:book_confirm", token=token)


@require_http_methods(["GET", "POST"])
def book_confirm(request, token):
    try:
        invitation = _invitation(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    live = _live(invitation)
    if live is not None and live.status == Booking.Status.CONFIRMED:
        return redirect("research:book_done", token=token)
    if live is None or live.held_until <= timezone.now():
        return _slots_page(
            request,
            invitation,
            zone=invitation.participant.time_zone or "UTC",
            error="Your hold on that time ran out; pick a time again.",
            status=409,
        )
    sched = invitations.scheduling_for(invitation.request)
    questions = [q.get("question", "") for q in sched.screener or [] if q.get("question")]
    context = {
        "invitation": invitation,
        "req": invitation.request,
        "booking": live,
        "token": token,
        "questions": questions,
        "local": live.starts_at.astimezone(zoneinfo.ZoneInfo(live.time_zone)),
        "hold_minutes": booking.HOLD_MINUTES,
        "error": "",
    }
    if request.method == "GET":
        return render(request, "research/booking/confirm.html", context)
    answers = []
    for i, question in enumerate(questions):
        answer = request.POST.get(f"answer_{i}", "").strip()
        if len(answer) > 1000:
            context["error"] = "Please keep each answer under 1000 characters."
            return render(request, "research/booking/confirm.html", context, status=400)
        answers.append({"question": question, "answer": answer})
    try:
        booking.booking_confirm(booking=live, answers=answers)
    except booking.SlotTaken as e:
        return _slots_page(
            request,
            invitation,
            zone=live.time_zone,
            error=str(e),
            status=409,
            open_slots=e.remaining,
        )
    except ValidationError as e:
        context["error"] = " ".join(m for ms in e.message_dict.values() for m in ms)
        return render(request, "research/booking/confirm.html", context, status=400)
    return redirect("research:book_done", token=token)


def _confirmed(request, token):
    invitation = _invitation(request, token)
    live = (
        Booking.objects.filter(invitation=invitation, status=Booking.Status.CONFIRMED)
        .select_related("request", "researcher", "participant")
        .first()
    )
    return invitation, live


def book_done(request, token):
    try:
        invitation, live = _confirmed(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if live is None:
        return redirect("research:book", token=token)
    return render(
        request,
        "research/booking/done.html",
        {
            "invitation": invitation,
            "req": invitation.request,
            "booking": live,
            "token": token,
            "local": live.starts_at.astimezone(zoneinfo.ZoneInfo(live.time_zone)),
            "can_change": booking.can_change(live),
            "links": invitations.links_for(invitation),
        },
    )


def book_ics(request, token):
    try:
        _invitation_, live = _confirmed(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if live is None:
        return _link_error(request, invitations.LinkError("No confirmed session yet.", 404))
    response = HttpResponse(calendar_ics.booking_ics(live), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response


@require_http_methods(["GET", "POST"])
def book_reschedule(request, token):
    try:
        invitation, live = _confirmed(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if live is None:
        return redirect("research:book", token=token)
    try:
        zone = (
            _zone(request, invitation)
            if (request.GET.get("tz") or request.POST.get("tz"))
            else live.time_zone
        )
    except ValidationError as e:
        return _slots_page(
            request,
            invitation,
            zone=live.time_zone,
            template="reschedule",
            error=e.message_dict["tz"][0],
            status=400,
            live=live,
        )
    if not booking.can_change(live):
        return render(
            request,
            "research/booking/too_late.html",
            {"req": invitation.request, "booking": live, "token": token},
            status=409,
        )
    if request.method == "GET":
        return _slots_page(request, invitation, zone=zone, template="reschedule", live=live)
    try:
        start = booking.parse_slot(request.POST.get("slot", ""))
        booking.booking_reschedule(booking=live, start=start)
    except ValidationError as e:
        return _slots_page(
            request,
            invitation,
            zone=zone,
            template="reschedule",
            live=live,
            status=400,
            error=" ".join(m for ms in e.message_dict.values() for m in ms),
        )
    except booking.SlotTaken as e:
        return _slots_page(
            request,
            invitation,
            zone=zone,
            template="reschedule",
            live=live,
            error=str(e),
            status=409,
            open_slots=e.remaining,
        )
    return redirect("research:book_done", token=token)


@require_http_methods(["GET", "POST"])
def book_cancel(request, token):
    try:
        invitation, live = _confirmed(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if live is None:
        return redirect("research:book", token=token)
    if not booking.can_change(live):
        return render(
            request,
            "research/booking/too_late.html",
            {"req": invitation.request, "booking": live, "token": token},
            status=409,
        )
    if request.method == "POST":
        booking.booking_cancel(booking=live)
        return render(request, "research/booking/cancelled.html", {"req": invitation.request})
    return render(
        request,
        "research/booking/cancel.html",
        {
            "req": invitation.request,
            "booking": live,
            "token": token,
            "local": live.starts_at.astimezone(zoneinfo.ZoneInfo(live.time_zone)),
        },
    )


@require_POST
def book_decline(request, token):
    try:
        invitation = _invitation(request, token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if invitation.status == Invitation.Status.SENT:
        invitations.invitation_close(invitation=invitation, status=Invitation.Status.DECLINED)
    return render(request, "research/booking/declined.html", {"req": invitation.request})


@require_http_methods(["GET", "POST"])
def opt_out(request, token):
    """One click: the button on this page (or a mail client's List-Unsubscribe-Post) opts out."""
    try:
        participant = invitations.participant_from_prefs_token(token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    if request.method == "POST":
        invitations.participant_opt_out_self(participant=participant, via="e-mail opt-out link")
        return render(request, "research/booking/opted_out.html", {"token": token})
    return render(
        request, "research/booking/opt_out.html", {"token": token, "already": participant.opted_out}
    )


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        participant = invitations.participant_from_prefs_token(token)
    except invitations.LinkError as e:
        return _link_error(request, e)
    from research import preferences as prefs
    from research import suppression
    from research.models import ParticipantPreference

    if participant.external_id.startswith("deleted-"):
        return _link_error(
            request, invitations.LinkError("This record was deleted at your request.", 410)
        )
    done, error, status = "", "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "opt_out":
            invitations.participant_opt_out_self(participant=participant, via="preference page")
            done = "You are opted out: we will not contact you for research again."
        elif action == "opt_in":
            suppression.participant_opt_in(
                participant=participant, kinds=["opt_out"], confirmed_via="preference page link"
            )
            done = "Welcome back: we may invite you to research sessions again."
        elif action == "save":
            try:
                prefs.preferences_update(
                    participant=participant,
                    max_per_year=request.POST.get("max_per_year", "").strip(),
                    pause_months=request.POST.get("pause_months", "").strip(),
                )
                done = "Saved."
            except ValidationError as e:
                error = " ".join(m for ms in e.message_dict.values() for m in ms)
                status = 400
        elif action == "delete" and request.POST.get("confirm") == "yes":
            prefs.participant_forget(participant=participant)
            return render(request, "research/booking/deleted.html")
        else:
            error, status = "Choose one of the buttons (tick the box to confirm a deletion).", 400
    participant.refresh_from_db()
    pref = ParticipantPreference.objects.filter(participant=participant).first()
    return render(
        request,
        "research/booking/preferences.html",
        {
            "participant": participant,
            "token": token,
            "done": done,
            "error": error,
            "pref": pref,
        },
        status=status,
    )
