"""Pages to edit, close and cancel an open research request (its researcher or a ProductOps admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from productops.accounts.forms import add_service_errors
from research.forms import RequestCancelForm, ResearchRequestForm
from research.models import ResearchRequest
from research.request_edits import request_cancel, request_close, request_update
from research.views import form_dry_run, get_request_for_viewer


def _get_request_for_editor(request, pk) -> ResearchRequest:
    research_request = get_request_for_viewer(request, pk)
    if not research_request.can_be_edited_by(request.user):
        raise PermissionDenied("Only the request's researcher and ProductOps admins can change it.")
    return research_request


def _refuse_unless_open(request, research_request):
    if research_request.status != ResearchRequest.Status.OPEN:
        messages.error(
            request,
            f"This request is {research_request.get_status_display().lower()}; "
            "only open requests can change.",
        )
        return redirect(research_request)
    return None


@login_required
def request_edit(request, pk):
    research_request = _get_request_for_editor(request, pk)
    if refused := _refuse_unless_open(request, research_request):
        return refused
    form = ResearchRequestForm(request.POST or None, instance=research_request, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changed = request_update(request=research_request, by=request.user, **form.changes())
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            research_request.refresh_from_db()
            if not changed:
                messages.info(request, "Nothing changed.")
            elif research_request.sample_is_stale(research_request.samples.first()):
                messages.warning(
                    request,
                    "Request saved. Its sample was drawn for the old criteria: draw a new one "
                    "when you are ready.",
                )
            else:
                messages.success(request, "Request saved.")
            return redirect(research_request)
    return render(
        request,
        "research/request_form.html",
        {
            "form": form,
            "req": research_request,
            "has_sample": research_request.samples.exists(),
            "dry": form_dry_run(form, exclude_pk=research_request.pk),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def request_edit_dry_run(request, pk):
    """The live dry run beside the edit form: the form's current values, nothing saved."""
    research_request = _get_request_for_editor(request, pk)
    form = ResearchRequestForm(request.POST, instance=research_request, user=request.user)
    form.is_valid()
    return render(
        request,
        "research/request_form.html#dry-run",
        {"form": form, "dry": form_dry_run(form, exclude_pk=research_request.pk)},
    )


@login_required
def request_cancel_page(request, pk):
    research_request = _get_request_for_editor(request, pk)
    if refused := _refuse_unless_open(request, research_request):
        return refused
    form = RequestCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_cancel(
                request=research_request, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, "Request cancelled. It no longer counts as an overlap.")
            return redirect(research_request)
    return render(
        request,
        "research/request_cancel.html",
        {"req": research_request, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def request_close_page(request, pk):
    research_request = _get_request_for_editor(request, pk)
    if refused := _refuse_unless_open(request, research_request):
        return refused
    request_close(request=research_request, by=request.user)
    messages.success(request, "Request closed: it no longer counts as an overlap.")
    return redirect(research_request)
