"""Helpers for the Django admin tests of each app: its URLs, and what "read-only history" means there."""

from django.urls import reverse


def admin_url(obj_or_model, view: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def assert_history(client, obj, change: dict | None = None) -> None:
    """The record is readable, and no admin path adds, edits or deletes one (bulk action included)."""
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).values().get()
    assert client.get(admin_url(obj, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(obj, "add")).status_code == 403
    assert client.post(admin_url(obj, "change", obj.pk), change or {}).status_code == 403
    assert client.post(admin_url(obj, "delete", obj.pk), {"post": "yes"}).status_code == 403
    client.post(
        admin_url(obj, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=obj.pk).values().get() == before


def change_form_data(client, obj, **changes) -> dict:
    """The object's change form as the browser would post it back, with `changes` applied."""
    form = client.get(admin_url(obj, "change", obj.pk)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            value = "on" if value else ""
        data[name] = value
        if field.show_hidden_initial:
            data[f"initial-{name}"] = value
    data.update(changes)
    return data
