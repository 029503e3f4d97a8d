from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from productops.accounts.models import ApiToken, AuditEntry, Membership, Notification, Team, User


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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "product_area"]
    search_fields = ["name", "product_area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "hint", "created_at", "last_used_at"]
    list_select_related = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "key", "created_at", "read_at", "emailed_at"]
    list_select_related = ["recipient"]
    search_fields = ["key", "title"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_label", "reason"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
