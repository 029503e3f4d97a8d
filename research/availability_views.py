"""A researcher publishes their own availability (in their own zone) and a request's scheduling choices."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from productops.accounts.services import audit_record
from research.models import Availability, SchedulingSettings, validate_time_zone

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$", re.I
)
_ONE_OFF = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$")


def _pad(t: str) -> str:
    return t.zfill(5)


class AvailabilityForm(forms.Form):
    time_zone = forms.CharField(max_length=64, validators=[validate_time_zone])
    weekly = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=2000,
        help_text="One window a line, e.g. “Mon 09:00-12:00”.",
    )
    one_off = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Extra slots, one a line, e.g. “2026-03-30 13:00-15:00”.",
    )
    blackout_dates = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Days off, one a line, e.g. “2026-12-24”.",
    )
    buffer_before_minutes = forms.IntegerField(min_value=0, max_value=120, initial=0)
    buffer_after_minutes = forms.IntegerField(min_value=0, max_value=120, initial=15)
    min_notice_hours = forms.IntegerField(min_value=0, max_value=24 * 14, initial=24)
    max_per_day = forms.IntegerField(min_value=1, max_value=20, required=False)
    max_per_week = forms.IntegerField(min_value=1, max_value=100, required=False)
    cutoff_hours = forms.IntegerField(min_value=0, max_value=24 * 7, initial=12)

    def _lines(self, name, pattern, example):
        rows = []
        for n, line in enumerate(self.cleaned_data.get(name, "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = pattern.match(line)
            if not match:
                raise ValidationError(f"Line {n} (“{line[:40]}”) is not like “{example}”.")
            rows.append(match.groups())
        return rows

    def clean_weekly(self):
        return [
            {"weekday": DAYS.index(d.lower()), "start": _pad(s), "end": _pad(e)}
            for d, s, e in self._lines("weekly", _WINDOW, "Mon 09:00-12:00")
        ]

    def clean_one_off(self):
        return [
            {"date": d, "start": _pad(s), "end": _pad(e)}
            for d, s, e in self._lines("one_off", _ONE_OFF, "2026-03-30 13:00-15:00")
        ]

    def clean_blackout_dates(self):
        days = [
            line.strip()
            for line in self.cleaned_data.get("blackout_dates", "").splitlines()
            if line.strip()
        ]
        for d in days:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
                raise ValidationError(f"“{d[:20]}” is not a date like 2026-12-24.")
        return days


def _as_text(avail: Availability) -> dict:
    return {
        "weekly": "\n".join(
            f"{DAYS[w['weekday']].title()} {w['start']}-{w['end']}" for w in avail.weekly
        ),
        "one_off": "\n".join(f"{o['date']} {o['start']}-{o['end']}" for o in avail.one_off),
        "blackout_dates": "\n".join(avail.blackout_dates),
    }


@login_required
@require_http_methods(["GET", "POST"])
def availability_edit(request):
    if not (request.user.is_researcher or request.user.is_productops_admin):
        raise PermissionDenied("Only researchers and ProductOps admins run sessions.")
    avail = Availability.objects.filter(user=request.user).first() or Availability(
        user=request.user, time_zone=request.user.time_zone
    )
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            for field, value in form.cleaned_data.items():
                setattr(avail, field, value)
            try:
                avail.clean()
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                avail.save()
                audit_record(
                    actor=request.user,
                    action="research.availability.saved",
                    target=avail,
                    reason="",
                    data={},
                )
                messages.success(request, "Availability saved; participants see it at once.")
                return redirect("research:availability")
        return render(request, "research/availability.html", {"form": form}, status=400)
    initial = {f: getattr(avail, f) for f in AvailabilityForm.base_fields if hasattr(avail, f)}
    initial.update(_as_text(avail))
    return render(
        request, "research/availability.html", {"form": AvailabilityForm(initial=initial)}
    )


class SchedulingSettingsForm(forms.ModelForm):
    class Meta:
        model = SchedulingSettings
        fields = ["invitation_days", "auto_backfill", "note_taker"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who published availability can take notes: their free times are intersected.
        from productops.accounts.models import User

        self.fields["note_taker"].queryset = User.objects.filter(
            research_availability__isnull=False
        ).order_by("display_name")
        self.fields["note_taker"].required = False

    screener_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1500,
        label="Screener questions",
        help_text="One question a line (at most 5); answers are kept with the booking.",
    )
    invitation_days = forms.IntegerField(min_value=1, max_value=30)

    def clean_screener_text(self):
        lines = [
            q.strip()[:200] for q in self.cleaned_data["screener_text"].splitlines() if q.strip()
        ]
        if len(lines) > 5:
            raise ValidationError("At most five questions; participants answer them while booking.")
        return lines
