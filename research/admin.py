from django.contrib import admin

from research.models import (
    Account,
    AttributeDefinition,
    FatigueRuleSet,
    LedgerEntry,
    Override,
    PanelRefresh,
    Participant,
    ResearchRequest,
    Sample,
)


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "type", "retired_at"]

    # Declaring, retyping and retiring check stored values and open requests, and are audited:
    # they go through the Participant attributes page (research:attributes), not here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "renewal_date", "owner_flagged"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["owner"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "external_id",
        "account",
        "plan",
        "region",
        "consent",
        "next_eligible_at",
    ]
    list_filter = ["plan", "region", "consent", "opted_out", "do_not_contact"]
    search_fields = ["name", "external_id", "email"]
    raw_id_fields = ["account"]
    readonly_fields = [
        "next_eligible_at",
        "blocked_rules",
        "contact_count",
        "last_contacted_at",
        "refreshed_at",
    ]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["participant", "kind", "method", "at", "team", "source"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["participant", "account", "request", "recorded_by"]


@admin.register(FatigueRuleSet)
class FatigueRuleSetAdmin(admin.ModelAdmin):
    list_display = ["version", "created_by", "created_at", "note"]

    def has_change_permission(self, request, obj=None):
        return False  # Rules change through the audited editor, as a new version.


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["participant", "rule", "by", "created_at", "expires_at"]
    raw_id_fields = ["participant", "request"]


@admin.register(ResearchRequest)
class ResearchRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "researcher", "status", "deadline"]
    list_filter = ["status", "team"]
    readonly_fields = ["targeting_changed_at", "cancelled_at", "cancelled_by", "cancel_reason"]


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["request", "size", "seed", "tvd", "psi", "created_at"]


admin.site.register(PanelRefresh)
