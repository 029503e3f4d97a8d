from django.contrib import admin

from telemetry.models import (
    Alias,
    ConventionVersion,
    Event,
    NamingHealthSnapshot,
    Property,
    TeamVocabulary,
)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "status", "lint_state"]
    list_filter = ["status", "lint_state", "team"]
    search_fields = ["name", "normalised_name"]
    list_select_related = ["team"]
    raw_id_fields = ["created_by", "linted_convention"]
    filter_horizontal = ["tags", "platforms", "used_by"]


@admin.register(ConventionVersion)
class ConventionVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: publish new ones on the convention page."""

    list_display = ["number", "preset", "author", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Property, list_display=["name", "type", "pii"], search_fields=["name"])
admin.site.register(Alias, list_display=["old_name", "event"], raw_id_fields=["event"])
admin.site.register(TeamVocabulary)
admin.site.register(NamingHealthSnapshot, list_display=["team", "day", "total", "conforming"])
