from django.contrib import admin

from strategy.models import Disposition, Point, Strategy, Version


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "phase", "feedback_closes_at", "updated_at"]
    list_filter = ["phase"]
    search_fields = ["title"]
    # Phases move only through the workflow, so the reveal rule cannot be bypassed here.
    readonly_fields = [
        "phase",
        "feedback_opens_at",
        "feedback_closes_at",
        "revealed_at",
        "finalised_at",
        "reminder_sent_at",
    ]


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["strategy", "number", "published_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    """Read-only: an anonymous point has no author to show, by design."""

    list_display = ["strategy", "type", "team", "is_anonymous", "created_at"]
    list_filter = ["type", "is_anonymous"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Disposition)
