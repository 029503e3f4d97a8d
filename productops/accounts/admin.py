from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from productops.accounts.admin_site import ReadOnlyAdmin
from productops.accounts.models import ApiToken, AuditEntry, Membership, Notification, Team, User
from productops.accounts.services import token_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "time_zone",
        "is_productops_admin",
        "is_leadership",
        "is_researcher",
    ]
    list_filter = ["is_productops_admin", "is_leadership", "is_researcher", "is_active"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Portal", {"fields": ["display_name", "time_zone", "notification_preference"]}),
        (
            "Organisation roles",
            {"fields": ["is_productops_admin", "is_leadership", "is_researcher"]},
        ),
    )

    # Deactivate instead: a person's read confirmations, answers and dots are strategy history,
    # and the portal has no path that deletes a person either.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "product_area"]
    search_fields = ["name", "product_area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    # A team's name stays on its feedback, events and health history; the portal never deletes one.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Tokens are created by their owner only (a hash typed in here would be a working key for
    someone else) and revoked, never deleted, so the audit log keeps pointing at them."""

    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    # "view": ReadOnlyAdmin refuses change, and revoking goes through the audited workflow anyway.
    @admin.action(description="Revoke selected tokens", permissions=["view"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at=None):
            token_revoke(token=token, by=request.user)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """An inbox is its recipient's alone, as on the portal's pages: an admin sees only their own.

    Others' notifications would tell who was told what, e.g. an anonymous author about their point.
    """

    list_display = ["title", "key", "created_at", "read_at", "emailed_at"]
    search_fields = ["key", "title"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_label", "reason"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]


def _history_only(model) -> None:
    """Re-register a third-party model's admin read-only, keeping its columns and filters."""
    if admin.site.is_registered(model):
        base = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(
            model, type(base.__name__, (ReadOnlyAdmin, base), {"__module__": base.__module__})
        )


# Sign-in records are security history. Lockouts (axes' AccessAttempt) stay deletable: that unlocks
# a person, and is audited like every admin change.
for _model in (AccessLog, AccessFailureLog):
    _history_only(_model)
