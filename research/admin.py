from django.contrib import admin

from productops.accounts.admin_site import ReadOnlyAdmin
from research import eligibility
from research.models import (
    Account,
    AttributeDefinition,
    Availability,
    Booking,
    FatigueRuleSet,
    Hold,
    Invitation,
    LedgerEntry,
    Override,
    PanelRefresh,
    Participant,
    ParticipantPreference,
    Reminder,
    ResearchRequest,
    Sample,
    SchedulingSettings,
    Suppression,
)


# Declaring, retyping and retiring check stored values and open requests, and are audited:
# they go through the Participant attributes page (research:attributes), not here.
@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "label", "type", "retired_at"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "renewal_date", "owner_flagged"]
    search_fields = ["name", "external_id"]
    # What the fatigue rules read about an account is edited on its page, which checks the owner's
    # flag has a reason and audits the edit.
    # The quarter's usage is derived from the ledger by every eligibility refresh.
    readonly_fields = [
        "renewal_date",
        "owner",
        "owner_name",
        "owner_flagged",
        "owner_flag_reason",
        "quarter_sessions",
        "quarter_minutes",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Custom attributes feed the rules too: the account's people are judged again at once.
        eligibility.refresh_account(account_id=obj.pk)


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
    list_select_related = ["account"]
    readonly_fields = [
        "next_eligible_at",
        "blocked_rules",
        "blocked_mask",
        "contact_count",
        "last_contacted_at",
        "refreshed_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # An opt-out is recorded with its source on the participant page (audited), and only the
        # participant lifts one: here the flags are shown, never flipped.
        return [*self.readonly_fields, "opted_out", "consent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Consent, opt-out and do-not-contact take effect now, not at the nightly refresh: a
        # sample drawn in between must not pick someone who just asked not to be contacted.
        eligibility.refresh_participants(ids=[obj.pk])


# Every touch of a customer, which fatigue is judged over: history, so read-only and never deleted
# (which also stops deleting a participant or request from taking their ledger with them).
@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["participant", "kind", "method", "at", "team", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["participant", "team"]


# Rules change through the audited editor, as a new version; old versions are history.
@admin.register(FatigueRuleSet)
class FatigueRuleSetAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["version", "created_by", "created_at", "note"]


# An override is a researcher's recorded exception to a rule, with their reason: one added here
# would be "by" someone who never made it.
@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["participant", "rule", "by", "created_at", "expires_at"]
    list_select_related = ["participant", "by"]


# Requests are filed, edited, closed and cancelled on their pages, which check the targeting, mark
# drawn samples stale and audit the change.
@admin.register(ResearchRequest)
class ResearchRequestAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "team", "researcher", "status", "deadline"]
    list_filter = ["status", "team"]
    list_select_related = ["team", "researcher"]


# A drawn sample is the record of who was picked and how representative they were.
@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["request", "size", "seed", "tvd", "psi", "created_at"]
    list_select_related = ["request"]


@admin.register(PanelRefresh)
class PanelRefreshAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["day", "started_at", "finished_at", "participants", "changed"]


# The customer's word: added by the audited doors (page, API, import), lifted only by the person.
@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["participant", "kind", "source", "at", "by", "lifted_at"]
    list_filter = ["kind", "source"]
    list_select_related = ["participant", "by"]


# Who a request is keeping from other teams, and why it let them go.
@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["participant", "request", "created_at", "held_until", "released_at"]
    list_filter = ["release_reason"]
    list_select_related = ["participant", "request"]


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "min_notice_hours", "max_per_day", "max_per_week"]

    def save_model(self, request, obj, form, change):
        obj.clean()  # a bad window or zone is refused here too, naming the field
        super().save_model(request, obj, form, change)


@admin.register(SchedulingSettings)
class SchedulingSettingsAdmin(admin.ModelAdmin):
    list_display = ["request", "invitation_days", "auto_backfill"]


# Invitations, bookings and reminders are history written by the scheduling workflow (ledger,
# calendar sequence numbers, claimed reminders): read-only here.
@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["request", "participant", "status", "wave", "sent_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["request", "participant"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["request", "participant", "researcher", "starts_at", "status", "sequence"]
    list_filter = ["status"]
    list_select_related = ["request", "participant", "researcher"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["booking", "recipient", "hours_before", "due_at", "sent_at", "cancelled_at"]


# The participant's own choices: only they change them, from their preference page.
@admin.register(ParticipantPreference)
class ParticipantPreferenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "participant",
        "max_invitations_per_year",
        "paused_until",
        "deletion_requested_at",
    ]
