from django.utils import timezone
from rest_framework import serializers

from productops.accounts.models import Team, User
from research import attributes, fatigue
from research.models import (
    Account,
    AttributeDefinition,
    ImportBatch,
    LedgerEntry,
    Participant,
    ResearchRequest,
    Sample,
    SampleMember,
    Suppression,
)


def can_see_contacts(user) -> bool:
    return bool(user and (user.is_researcher or user.is_productops_admin))


class AccountSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "renewal_date",
            "owner",
            "owner_name",
            "owner_flagged",
            "owner_flag_reason",
            "attributes",
            "updated_at",
        ]


class AccountUpdateSerializer(serializers.Serializer):
    """PATCH: the fields left out keep their value. The flag needs a reason."""

    renewal_date = serializers.DateField(required=False, allow_null=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The owner's portal username; null for nobody.",
    )
    owner_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    owner_flagged = serializers.BooleanField(required=False)
    owner_flag_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AccountUpdateResultSerializer(AccountSerializer):
    eligibility_changed = serializers.IntegerField(
        read_only=True, help_text="Participants whose eligibility changed with this edit."
    )

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "eligibility_changed"]


class AttributeDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeDefinition
        fields = ["id", "name", "label", "type", "allowed_values", "retired_at", "created_at"]


class AttributeInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=40, required=False, help_text="Only when declaring; names never change."
    )
    label = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=AttributeDefinition.Type.choices)
    allowed_values = serializers.ListField(
        child=serializers.CharField(max_length=attributes.MAX_VALUE_LENGTH),
        max_length=attributes.MAX_VALUES,
        required=False,
        default=list,
        help_text="For type 'choice' only.",
    )


class ParticipantSerializer(serializers.ModelSerializer):
    """E-mail addresses only for researchers and ProductOps admins; attributes for everyone."""

    account = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, allow_null=True
    )
    account_name = serializers.CharField(
        source="account.name", read_only=True, default=None, allow_null=True
    )
    eligible_now = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "external_id",
            "name",
            "email",
            "account",
            "account_name",
            "time_zone",
            "language",
            "consent",
            "consent_at",
            "do_not_contact",
            "opted_out",
            "plan",
            "region",
            "country",
            "industry",
            "company_size",
            "tenure",
            "usage_level",
            "attributes",
            "eligible_now",
            "next_eligible_at",
            "blocked_rules",
            "contact_count",
            "last_contacted_at",
        ]
        # Left out for people who may not see contacts (to_representation).
        extra_kwargs = {"email": {"required": False}}

    def get_eligible_now(self, obj) -> bool:
        return obj.eligible_now(self.context.get("now"))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_contacts(getattr(request, "user", None)):
            data.pop("email", None)
        return data


class RefusalSerializer(serializers.Serializer):
    rule = serializers.CharField()
    name = serializers.CharField()
    message = serializers.CharField()
    eligible_again = serializers.DateTimeField(allow_null=True)
    overridable = serializers.BooleanField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    next_eligible_at = serializers.DateTimeField(allow_null=True)
    refusals = RefusalSerializer(many=True)
    overridden = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def of(result: fatigue.Eligibility) -> dict:
        return {
            "eligible": result.eligible,
            "next_eligible_at": result.next_eligible_at,
            "refusals": [
                {
                    "rule": r.rule,
                    "name": fatigue.RULE_NAMES.get(r.rule, r.rule),
                    "message": r.message,
                    "eligible_again": r.eligible_again,
                    "overridable": r.rule in fatigue.OVERRIDABLE,
                }
                for r in result.refusals
            ],
            "overridden": list(result.overridden),
        }


class LedgerEntrySerializer(serializers.ModelSerializer):
    participant = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "participant",
            "team",
            "request",
            "kind",
            "method",
            "at",
            "minutes",
            "incentive_cents",
            "source",
            "note",
            "created_at",
        ]


class LedgerEntryCreateSerializer(serializers.Serializer):
    participant = serializers.SlugRelatedField(
        slug_field="external_id",
        queryset=Participant.objects.all(),
        help_text="The participant's external id (as in the CRM).",
    )
    kind = serializers.ChoiceField(choices=LedgerEntry.Kind.choices)
    method = serializers.ChoiceField(
        choices=LedgerEntry.Method.choices, required=False, allow_blank=True, default=""
    )
    at = serializers.DateTimeField(
        required=False,
        help_text="When it happened, or for a planned session when it will (up to a year ahead); now if left out.",
    )
    minutes = serializers.IntegerField(min_value=0, max_value=1440, default=0)
    incentive_cents = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )
    request = serializers.PrimaryKeyRelatedField(
        queryset=ResearchRequest.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="E.g. 'Q3 NPS survey' or 'CS quarterly check-in'.",
    )


class RulesSerializer(serializers.Serializer):
    rules = serializers.DictField(
        help_text="The settings of research.fatigue.Rules; missing keys take defaults."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_rules(self, value):
        try:
            return fatigue.Rules.from_dict(value)
        except (TypeError, ValueError) as e:
            raise serializers.ValidationError(str(e)) from None


class ResearchRequestSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    researcher = serializers.CharField(source="researcher.username", read_only=True)
    latest_sample = serializers.SerializerMethodField()
    sample_stale = serializers.SerializerMethodField(
        help_text="The latest sample was drawn before who to sample, or how many, changed."
    )
    cancelled_by = serializers.CharField(
        source="cancelled_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ResearchRequest
        fields = [
            "id",
            "title",
            "team",
            "researcher",
            "goal",
            "method",
            "session_minutes",
            "participants_needed",
            "criteria",
            "dimensions",
            "deadline",
            "incentive_cents",
            "status",
            "created_at",
            "latest_sample",
            "sample_stale",
            "targeting_changed_at",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]
        read_only_fields = [
            "status",
            "created_at",
            "targeting_changed_at",
            "cancelled_at",
            "cancel_reason",
        ]
        extra_kwargs = {
            "title": {"max_length": 140},
            "goal": {"max_length": 4000},
            "session_minutes": {"min_value": 5, "max_value": 480},
            "participants_needed": {"min_value": 1, "max_value": 500},
            "incentive_cents": {"min_value": 0, "max_value": 200_000},
        }

    def get_latest_sample(self, obj) -> int | None:
        samples = getattr(obj, "prefetched_samples", None)
        if samples is not None:
            return samples[0].pk if samples else None
        return None

    def get_sample_stale(self, obj) -> bool:
        samples = getattr(obj, "prefetched_samples", None) or []
        return obj.sample_is_stale(samples[0] if samples else None)

    def validate_deadline(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError("The deadline is in the past; pick a future date.")
        return value


class DryRunInputSerializer(serializers.Serializer):
    criteria = serializers.DictField(required=False, default=dict)
    participants_needed = serializers.IntegerField(min_value=1, max_value=500, default=8)
    method = serializers.ChoiceField(
        choices=ResearchRequest.Method.choices, required=False, allow_blank=True
    )
    session_minutes = serializers.IntegerField(
        min_value=5,
        max_value=480,
        default=45,
        help_text="Counted against each account's minutes cap.",
    )
    dimensions = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=3,
        help_text="Attributes to compare the eligible panel with the whole panel on.",
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class RuleCountSerializer(serializers.Serializer):
    rule = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    overridable = serializers.BooleanField()


class HeldCountSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text="The request holding them.")
    title = serializers.CharField()
    team = serializers.CharField()
    count = serializers.IntegerField()
    until = serializers.DateTimeField(help_text="The latest of these holds ends then.")


class DryRunSerializer(serializers.Serializer):
    matching = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text="Eligible and held by no other request.")
    excluded = serializers.IntegerField()
    by_rule = RuleCountSerializer(many=True)
    held = HeldCountSerializer(many=True, help_text="Eligible people other requests hold.")
    held_total = serializers.IntegerField()
    sample_capacity = serializers.IntegerField(
        help_text="The most one sample can take under the account caps as a whole."
    )
    session_minutes = serializers.IntegerField()
    impossible = serializers.BooleanField(help_text="True when the request cannot be filled.")
    fill_note = serializers.CharField(allow_blank=True)
    skew = serializers.JSONField(
        allow_null=True,
        help_text="The eligible panel against the whole panel on the dimensions: tvd, psi, "
        "verdict and per-dimension rows.",
    )
    response_rate = serializers.FloatField()
    invitations_needed = serializers.IntegerField()
    expected_days = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())


class SampleMemberSerializer(serializers.ModelSerializer):
    participant = serializers.SerializerMethodField()

    class Meta:
        model = SampleMember
        fields = ["rank", "standby", "stratum", "participant"]

    def get_participant(self, obj) -> dict:
        return ParticipantSerializer(obj.participant, context=self.context).data


class SampleSerializer(serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    selected = serializers.SerializerMethodField()
    standby = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "request",
            "seed",
            "size",
            "response_rate",
            "tvd",
            "psi",
            "makeup",
            "warnings",
            "created_at",
            "selected",
            "standby",
        ]

    def _members(self, obj, standby):
        members = [m for m in obj.members.all() if m.standby == standby]
        return SampleMemberSerializer(members, many=True, context=self.context).data

    def get_selected(self, obj) -> list[dict]:
        return self._members(obj, False)

    def get_standby(self, obj) -> list[dict]:
        return self._members(obj, True)


class HoldReleaseInputSerializer(serializers.Serializer):
    participants = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=1000,
        help_text="Participant ids of this request's sample to let go.",
    )
    reason = serializers.ChoiceField(
        choices=[("declined", "They declined"), ("released", "Not needed")],
        help_text="declined: they said no; released: the request does not need them.",
    )


class RequestCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, allow_blank=True, help_text="Why; at least 10 characters."
    )


class OverrideInputSerializer(serializers.Serializer):
    request = serializers.PrimaryKeyRelatedField(
        queryset=ResearchRequest.objects.all(),
        help_text="The open request this override is for; it applies to no other and ends with it.",
    )
    rule = serializers.ChoiceField(choices=sorted(fatigue.RULE_NAMES))
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class OptOutInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        help_text="How the person asked not to be contacted (at least 5 characters).",
    )


class SuppressionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = Suppression
        fields = ["id", "participant", "kind", "source", "at", "by", "note", "lifted_at"]
        read_only_fields = fields


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or .xlsx, up to 50 MB.")
    mapping = serializers.JSONField(
        required=False,
        default=dict,
        help_text='Panel field -> column name, e.g. {"external_id": "Contact ID"}; guessed from headers if left out.',
    )
    dry_run = serializers.BooleanField(default=False)
    sheet = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=100,
        help_text="XLSX only: the worksheet to read; required when the workbook has several.",
    )


class ImportBatchSerializer(serializers.ModelSerializer):
    percent = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "sheet",
            "status",
            "progress",
            "percent",
            "stage",
            "report",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_percent(self, obj) -> int:
        return round(obj.progress * 100)
