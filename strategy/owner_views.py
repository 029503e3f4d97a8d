"""The owner's pages: drafting, publishing, answering points, moving the strategy on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strategy import (
    access,
    engagement,
    feedback,
    forms,
    grouping,
    phases,
    records,
    rendering,
    services,
)
from strategy.models import Disposition, Strategy
from strategy.views import back_to, form_errors, phase_steps_for


@login_required
def create(request):
    if not (request.user.is_leadership or request.user.is_productops_admin):
        raise PermissionDenied("Strategies are drafted by leadership.")
    form = forms.StrategyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        parts = form.parts()
        try:
            strategy = services.strategy_create(
                by=request.user,
                audience_teams=form.cleaned_data["audience_teams"],
                delegates=form.cleaned_data["delegates"],
                **parts,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, "Draft saved. Only you and your delegates can see it until you publish."
            )
            return redirect(strategy)
    return render(request, "strategy/form.html", {"form": form, "title": "New strategy"})


@login_required
def edit(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    if not phases.can_edit_draft(strategy.phase, viewer):
        raise PermissionDenied("Only the owner or a delegate edits the draft.")
    form = forms.StrategyForm(request.POST or None, instance=strategy)
    if request.method == "POST" and form.is_valid():
        parts = form.parts()
        try:
            services.draft_update(
                strategy=Strategy.objects.get(pk=strategy.pk),
                by=request.user,
                audience_teams=parts.pop("audience_teams", form.cleaned_data["audience_teams"]),
                delegates=form.cleaned_data["delegates"],
                **parts,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                "Working copy saved. Published versions are unchanged until you publish again.",
            )
            return redirect(strategy)
    return render(
        request,
        "strategy/form.html",
        {
            "form": form,
            "strategy": strategy,
            "title": f"Edit “{strategy.title}”",
            "attachment_form": forms.AttachmentForm(),
            "attachments": services.attachments_visible_to(strategy, viewer),
        },
    )


@login_required
@require_POST
def attachment_add(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to attach.")
    else:
        try:
            attachment = services.attachment_add(
                strategy=strategy, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Attached {attachment.name}.")
    return redirect("strategy:edit", pk=strategy.pk)


@login_required
def publish(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    first = strategy.phase == phases.DRAFT
    if not (
        phases.can_publish_version(strategy.phase, viewer)
        or (viewer.is_admin and strategy.phase in (phases.REVEAL, phases.DECISION))
    ):
        raise PermissionDenied(
            "Only the owner or a delegate publishes, and never during the feedback window."
        )
    form = forms.PublishForm(
        request.POST or None,
        first=first,
        admin=viewer.is_admin,
        initial={"closes_at": forms.default_close()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_publish(
                strategy=strategy,
                by=request.user,
                change_summary=form.cleaned_data["change_summary"],
                closes_at=form.cleaned_data.get("closes_at"),
                override_reason=form.cleaned_data.get("override_reason", ""),
                second_round_hours=form.cleaned_data.get("second_round_hours") or 0,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if version.number == 1:
                messages.success(
                    request,
                    "Version 1 is published and the feedback window is open. The audience has been told.",
                )
            else:
                messages.success(request, f"Version {version.number} is published.")
            return redirect(strategy)
    preview_md = services.compose_markdown(strategy)
    missing = strategy.missing_parts() if viewer.is_owner else []
    undisposed = 0 if first else services.undisposed_points(strategy).count()
    return render(
        request,
        "strategy/publish.html",
        {
            "strategy": strategy,
            "form": form,
            "first": first,
            "missing": missing,
            "undisposed": undisposed,
            # An admin may publish over open points, but the working copy stays the owner's to read.
            "preview": rendering.render(preview_md)
            if viewer.is_owner and len(preview_md) <= rendering.MAX_BODY_CHARS * 2
            else "",
        },
    )


@login_required
@require_POST
def dispose(request, pk):
    point, strategy, viewer = feedback.point_get_for(request.user, pk)
    form = forms.DispositionForm(request.POST, sections=latest_sections(strategy))
    if form.is_valid():
        try:
            services.disposition_set(point=point, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Marked {form.cleaned_data['status']}.")
    else:
        messages.error(
            request,
            "Choose a disposition."
            if "status" in form.errors
            else " ".join(m for e in form.errors.values() for m in e),
        )
    return back_to(request, strategy, point)


def latest_sections(strategy):
    version = strategy.versions.order_by("-number").first()
    return list(version.sections.all()) if version else []


@login_required
def dashboard(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    if not (viewer.is_owner or viewer.is_admin):
        raise PermissionDenied("The dashboard is for the owner and delegates.")
    summaries = records.read_summaries(strategy)
    undisposed = (
        feedback.label_voices(
            list(services.undisposed_points(strategy).select_related("team", "author")[:100]),
            feedback.floor_for(strategy),
        )
        if strategy.is_revealed
        else []
    )
    counts = feedback.section_counts(strategy)
    undisposed_total = services.undisposed_points(strategy).count() if strategy.is_revealed else 0
    transitions = [
        t
        for (c, t) in phases.MANUAL_TRANSITIONS
        if c == strategy.phase
        and t != phases.FEEDBACK
        # An admin who is not an owner only archives, or finalises over open points with a reason.
        and (viewer.is_owner or t == phases.ARCHIVED or (t == phases.FINAL and undisposed_total))
    ]
    return render(
        request,
        "strategy/dashboard.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "coverage": records.read_coverage(strategy),
            "summaries": summaries,
            "undisposed": undisposed,
            "undisposed_total": undisposed_total,
            "total_points": sum(sum(c.values()) for c in counts.values()),
            "transitions": [(t, phases.LABELS[t]) for t in phases.ORDER if t in transitions],
            "withheld": feedback.may_withhold(strategy),
            "engagement": engagement.engagement_for(strategy),
            "groups": grouping.groups_for(strategy),
            "statuses": Disposition.Status.choices,
        },
    )


@login_required
@require_POST
def transition(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a phase.")
        return redirect("strategy:dashboard", pk=strategy.pk)
    try:
        services.strategy_transition(
            strategy=strategy,
            by=request.user,
            target=form.cleaned_data["target"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("strategy:dashboard", pk=strategy.pk)
    messages.success(
        request, f"The strategy is now: {phases.LABELS[form.cleaned_data['target']].lower()}."
    )
    if form.cleaned_data["target"] == phases.FINAL:
        return redirect("strategy:you_said_we_did", pk=strategy.pk)
    return redirect(strategy)
