from django.contrib import admin

from productops.accounts.admin_site import ReadOnlyAdmin
from telemetry.models import (
    Alias,
    ConventionVersion,
    DriftItem,
    Event,
    EventMerge,
    NamingHealthSnapshot,
    ObservedDay,
    ObservedName,
    ObservedProperty,
    Property,
    Source,
    TeamVocabulary,
)
from telemetry.services import can_edit_event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Only the owning team changes an event, here as on the pages; new events are registered on the
    pages, where the linter checks the name."""

    list_display = ["name", "team", "status", "lint_state"]
    list_filter = ["status", "lint_state", "team"]
    search_fields = ["name", "normalised_name"]
    list_select_related = ["team"]
    raw_id_fields = ["created_by", "linted_convention"]
    filter_horizontal = ["tags", "platforms", "used_by"]
    # A rename happens on the event's page, which keeps the old name as an alias so history resolves.
    readonly_fields = ["name", "normalised_name", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_event(request.user, obj))

    # Events are deprecated, never deleted: dashboards and aliases keep pointing at them.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConventionVersion)
class ConventionVersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Versions are immutable: publish new ones on the convention page."""

    list_display = ["number", "preset", "author", "created_at"]


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    """Its defining team and ProductOps admins change a property, as on the pages; a shared property
    keeps its name, and is never deleted (the portal has no path for either)."""

    list_display = ["name", "type", "pii"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "created_at"] if obj is not None else ["created_at"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_be_edited_by(request.user))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alias)
class AliasAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Earlier names keep history and dashboards resolving: they come from renames, never by hand."""

    list_display = ["old_name", "event", "created_at"]
    list_select_related = ["event"]


@admin.register(TeamVocabulary)
class TeamVocabularyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """A team's own words change only on its vocabulary page: by its members, checked and re-linted."""

    list_display = ["team", "updated_by", "updated_at"]
    list_select_related = ["team", "updated_by"]


@admin.register(NamingHealthSnapshot)
class NamingHealthSnapshotAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The daily record behind the health trend."""

    list_display = ["team", "day", "total", "conforming"]
    list_select_related = ["team"]


@admin.register(EventMerge)
class EventMergeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Where a merged event came from: history, written only by the audited merge on the pages."""

    list_display = ["source_name", "into", "source_team", "merged_by", "created_at"]
    list_select_related = ["into", "source_team", "merged_by"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """ProductOps admins hand unassigned sources to their team (team members do it on the drift page)."""

    list_display = ["key", "team", "platform", "created_at"]
    list_filter = ["platform", ("team", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    list_select_related = ["team"]
    readonly_fields = ["key", "created_at"]

    def has_add_permission(self, request):
        return False

    # Deleting a source would delete its counts; reassign it instead.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObservedName)
class ObservedNameAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Names seen in traffic, linted when they first arrived: written only by ingestion."""

    list_display = ["name", "lint_ok", "lint_suggestion", "first_seen"]
    search_fields = ["name"]


@admin.register(ObservedDay)
class ObservedDayAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Daily counts: history, added to by ingestion only."""

    list_display = ["observed", "source", "day", "count"]
    list_select_related = ["observed", "source"]
    date_hierarchy = "day"


@admin.register(ObservedProperty)
class ObservedPropertyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Property keys and value types seen per day (never the values)."""

    list_display = ["observed", "key", "type", "source", "day", "count"]
    list_select_related = ["observed", "source"]


@admin.register(DriftItem)
class DriftItemAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Written by the nightly drift job; acted on from the team's drift page."""

    list_display = ["kind", "name", "detail", "team", "first_found", "resolved_at"]
    list_filter = ["kind", "team"]
    list_select_related = ["team"]
    search_fields = ["name"]
