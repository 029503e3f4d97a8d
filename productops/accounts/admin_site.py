"""Django admin under the portal's rules: only ProductOps admins enter, and every change is audited.

Every ModelAdmin registered on the site, ours and third-party ones alike, gets the audit mixin at
registration, so no admin class can forget it. Each app's admin.py applies that app's access rules
(who may read what) and marks its history records read-only with `ReadOnlyAdmin`.
"""

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from productops.accounts.services import audit_record


def _changes(message) -> dict:
    """What an admin change touched, as Django describes it: field names and related objects' names,
    plus the sentence Django's own history shows ("Changed Name and Product area.").

    Never values: a field's new text is not ours to copy into the audit log.
    """
    if not message:
        return {}
    if not isinstance(message, list):
        return {"summary": str(message)}
    sentence = LogEntry(change_message=json.dumps(message)).get_change_message()
    return {"changes": message, "summary": sentence}


class AuditedAdmin:
    """Writes each admin addition, change and deletion (bulk ones too) to the portal's audit log."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(
            actor=request.user,
            action="admin.added",
            target=obj,
            data={"via": "django-admin", **_changes(message)},
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(
            actor=request.user,
            action="admin.changed",
            target=obj,
            data={"via": "django-admin", **_changes(message)},
        )
        return entry

    def log_deletions(self, request, queryset):
        # Called before the rows go (single delete and the bulk action alike): pk and label still exist.
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        for obj in objects:
            audit_record(
                actor=request.user,
                action="admin.deleted",
                target=obj,
                data={"via": "django-admin"},
            )
        return entries


class ReadOnlyAdmin:
    """Read here, never added, edited or deleted: history (evidence of what happened), and records
    that change only through their audited workflow on the pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def audited(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    return type(
        f"Audited{admin_class.__name__}",
        (AuditedAdmin, admin_class),
        {"__module__": admin_class.__module__},
    )


class PortalAdminSite(admin.AdminSite):
    site_header = "ProductOps Portal administration"
    site_title = "ProductOps admin"

    def has_permission(self, request):
        # The portal gives Django admin to ProductOps admins only; staff status alone is not enough.
        user = request.user
        return user.is_active and user.is_staff and user.is_productops_admin

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)
