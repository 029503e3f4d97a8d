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
