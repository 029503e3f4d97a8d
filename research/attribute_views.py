"""ProductOps admins declare, edit, retire and reinstate custom participant attributes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from productops.accounts.forms import add_service_errors
from productops.accounts.permissions import admin_required
from research import attributes
from research.forms import AttributeForm
from research.models import AttributeDefinition, Participant


@login_required
@admin_required
def attribute_list(request):
    definitions = list(AttributeDefinition.objects.order_by("retired_at", "name"))
    # How many participants hold each attribute: one scan for all of them.
    held = (
        Participant.objects.aggregate(
            **{f"n_{d.pk}": Count("id", filter=Q(attributes__has_key=d.name)) for d in definitions}
        )
        if definitions
        else {}
    )
    for d in definitions:
        d.held = held.get(f"n_{d.pk}", 0)
    form = AttributeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = attributes.attribute_declare(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                f"Declared “{definition}”. It is now in the request form, the panel filters "
                "and the import mapping.",
            )
            return redirect("research:attributes")
    return render(
        request,
        "research/attributes.html",
        {"definitions": definitions, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@admin_required
def attribute_edit(request, pk):
    definition = get_object_or_404(AttributeDefinition, pk=pk)
    if definition.retired_at:
        messages.error(request, f"“{definition}” is retired: reinstate it to edit it.")
        return redirect("research:attributes")
    form = AttributeForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            converted = attributes.attribute_update(
                definition=definition,
                label=data["label"],
                type=data["type"],
                allowed_values=data["allowed_values"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            note = f" {converted} participants' values were converted." if converted else ""
            messages.success(request, f"Saved “{definition.name}”.{note}")
            return redirect("research:attributes")
    return render(
        request,
        "research/attribute_form.html",
        {
            "definition": definition,
            "form": form,
            "values": attributes.stored_values(definition.name)[:12],
            "users": attributes.open_requests_using(definition.name),
        },
        status=400 if form.errors else 200,
    )


@login_required
@admin_required
@require_POST
def attribute_retire(request, pk):
    definition = get_object_or_404(AttributeDefinition, pk=pk)
    try:
        if definition.retired_at:
            attributes.attribute_reinstate(definition=definition, by=request.user)
            messages.success(request, f"Reinstated “{definition}”.")
        else:
            attributes.attribute_retire(definition=definition, by=request.user)
            messages.success(
                request,
                f"Retired “{definition}”: it left the forms, filters and imports; "
                "participants keep their values.",
            )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("research:attributes")
