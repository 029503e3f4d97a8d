"""The organisation's convention (read by everyone, changed by ProductOps admins after seeing
what it does to each team) and each team's own words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from productops.accounts.models import Team
from telemetry import conventions, naming
from telemetry.convention_changes import (
    convention_check,
    convention_impact,
    rules_fingerprint,
    rules_summary,
    versions_with_changes,
)
from telemetry.forms import ConventionForm, VocabularyForm
from telemetry.models import ConventionVersion, TeamVocabulary


def _rule_rows(rules: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in rules.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k} → {v}" for k, v in value.items())
        elif isinstance(value, list | tuple | set | frozenset):
            text = ", ".join(
                " = ".join(v) if isinstance(v, list | tuple) else str(v) for v in value
            )
        else:
            text = str(value)
        rows.append((key.replace("_", " ").capitalize(), text))
    return rows


@login_required
def convention(request):
    """Everyone can read the convention; ProductOps admins publish new versions of it, after
    the page has shown what exactly these rules would do to each team."""
    current = conventions.current_convention()
    preset = request.GET.get("preset")
    if request.method == "POST" and not request.user.is_productops_admin:
        raise PermissionDenied("Only ProductOps admins can change the organisation's convention.")
    rules = (
        naming.PRESETS[preset].to_dict()
        if preset in naming.PRESETS
        else current.convention.to_dict()
    )
    form = impact = fingerprint = None
    status = 200
    if request.user.is_productops_admin:
        form = ConventionForm(
            request.POST or None,
            initial_rules=rules,
            initial={"preset": preset if preset in naming.PRESETS else current.preset},
        )
        if request.method == "POST" and form.is_valid():
            new_rules = form.cleaned_data["rules"]
            try:
                convention_check(naming.Convention.from_dict(new_rules))
            except ValidationError as exc:
                form.add_error(None, exc.message_dict["rules"])
            else:
                fingerprint = rules_fingerprint(new_rules)
                seen = request.POST.get("fingerprint", "")
                if request.POST.get("action") == "publish" and seen == fingerprint:
                    version = conventions.convention_publish(
                        by=request.user,
                        rules=new_rules,
                        preset=form.cleaned_data["preset"],
                        note=form.cleaned_data["note"],
                    )
                    messages.success(
                        request,
                        f"Convention v{version.number} is published and each team is told what "
                        "it means for them. Every event is being re-checked; naming health "
                        "updates in a moment.",
                    )
                    return redirect("telemetry:convention")
                if request.POST.get("action") == "publish":
                    messages.warning(
                        request,
                        "The rules changed since the impact below was worked out; check it again, "
                        "then publish.",
                    )
                impact = convention_impact(naming.Convention.from_dict(new_rules))
        if request.htmx and preset:
            return render(request, "telemetry/convention.html#convention-form", {"form": form})
        if form.is_bound and impact is None:
            status = 400
    versions = list(ConventionVersion.objects.select_related("author")[:21])
    history = versions_with_changes(versions)[:20]
    return render(
        request,
        "telemetry/convention.html",
        {
            "current": current,
            "summary": rules_summary(current.convention.to_dict()),
            "rules": _rule_rows(current.convention.to_dict()),
            "form": form,
            "impact": impact,
            "fingerprint": fingerprint,
            "next_number": (versions[0].number if versions else 0) + 1,
            "history": history,
        },
        status=status,
    )


@login_required
def vocabulary(request, slug):
    team = get_object_or_404(Team, slug=slug)
    is_member = request.user.is_member_of(team)
    if request.method == "POST" and not is_member:
        raise PermissionDenied(f"Only members of {team.name} can change its vocabulary.")
    current = TeamVocabulary.objects.filter(team=team).first()
    initial = {
        "actions": "\n".join(f"{k} = {v}" for k, v in (current.actions if current else {}).items()),
        "objects": ", ".join(current.object_words if current else []),
        "prefix": current.prefix if current else "",
        "required_properties": ", ".join(current.required_properties if current else []),
    }
    form = VocabularyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conventions.team_vocabulary_save(
                team=team,
                by=request.user,
                actions=form.cleaned_data["actions"],
                objects=form.cleaned_data["objects"],
                prefix=form.cleaned_data["prefix"],
                required_properties=form.cleaned_data["required_properties"],
            )
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name, errors)
        else:
            messages.success(
                request, f"{team.name}'s words are saved; your events are being re-checked."
            )
            return redirect("telemetry:team_health", slug=team.slug)
    return render(
        request,
        "telemetry/vocabulary.html",
        {"team": team, "form": form, "is_member": is_member, "vocabulary": current},
        status=400 if form.is_bound else 200,
    )
