import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from productops.accounts.models import Team
from telemetry import linting, services
from telemetry.models import (
    PLATFORM_CHOICES,
    PROPERTY_TYPES,
    Alias,
    ConventionVersion,
    Event,
    EventProperty,
    PlanImport,
    Property,
)


def _name_field(value, field="name"):
    try:
        return services.clean_name(value, field=field)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict[field][0]) from exc


class EventPropertySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="property.name")
    type = serializers.CharField(source="property.type")
    pii = serializers.BooleanField(source="property.pii")
    allowed_values = serializers.ListField(source="property.allowed_values")
    pattern = serializers.CharField(source="property.pattern")
    meaning = serializers.CharField(
        source="property.description", help_text="What the property means on every event."
    )

    class Meta:
        model = EventProperty
        fields = [
            "name",
            "type",
            "required",
            "pii",
            "allowed_values",
            "pattern",
            "meaning",
            "description",
        ]


class EventSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    platforms = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    used_by = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="old_name", many=True, read_only=True)
    properties = EventPropertySerializer(source="event_properties", many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    generated_example = serializers.JSONField(
        read_only=True, help_text="A payload written from the current name and properties."
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "name",
            "description",
            "team",
            "status",
            "platforms",
            "tags",
            "used_by",
            "aliases",
            "properties",
            "example_payload",
            "generated_example",
            "lint_state",
            "lint_violations",
            "lint_suggestion",
            "no_lint",
            "no_lint_reason",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields


class EventPropertyInputSerializer(serializers.Serializer):
    """One property of an event. Shared fields left out keep what the catalogue says
    (for a new property: string, no description, not personal data, no constraint)."""

    name = serializers.CharField(max_length=10000, trim_whitespace=False, allow_blank=True)
    type = serializers.ChoiceField(choices=PROPERTY_TYPES, required=False)
    required = serializers.BooleanField(default=False)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    pii = serializers.BooleanField(required=False)
    allowed_values = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=500, required=False
    )
    pattern = serializers.CharField(max_length=500, allow_blank=True, required=False)

    def validate_name(self, value):
        return _name_field(value)

    def validate_pattern(self, value):
        try:
            re.compile(value)
        except re.error as exc:
            raise serializers.ValidationError(
                f"Not a regular expression ({exc}); fix it or leave the pattern out."
            ) from exc
        return value

    def validate(self, data):
        if data.get("allowed_values") and data.get("pattern"):
            raise serializers.ValidationError(
                {"pattern": "Give allowed values or a pattern, not both."}
            )
        return data


class EventWriteSerializer(serializers.Serializer):
    """Registering or editing an event. A name that breaks the convention is accepted, with warnings."""

    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False
    )
    # Bounded generously so an over-long name gets the service's explanation, not a generic one.
    name = serializers.CharField(
        max_length=20000, trim_whitespace=False, required=False, allow_blank=True
    )
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=Event.Status.choices, required=False)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=PLATFORM_CHOICES),
        max_length=len(PLATFORM_CHOICES),
        required=False,
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=30, required=False
    )
    example_payload = serializers.DictField(required=False)
    properties = EventPropertyInputSerializer(many=True, required=False, max_length=200)
    no_lint_reason = serializers.CharField(max_length=2000, allow_blank=True, required=False)

    def validate_name(self, value):
        return _name_field(value)


class ExceptionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PropertySerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Property
        fields = [
            "id",
            "name",
            "type",
            "description",
            "pii",
            "allowed_values",
            "pattern",
            "team",
            "lint_ok",
            "lint_suggestion",
        ]
        read_only_fields = ["lint_ok", "lint_suggestion"]

    def validate_name(self, value):
        return _name_field(value)

    def validate_allowed_values(self, value):
        if not isinstance(value, list) or len(value) > 500:
            raise serializers.ValidationError("Give a list of at most 500 allowed values.")
        return [str(v)[:200] for v in value]

    def validate_pattern(self, value):
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise serializers.ValidationError(f"Not a valid regular expression: {exc}.") from exc
        return value


class AliasSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(read_only=True)
    event_name = serializers.CharField(source="event.name", read_only=True)

    class Meta:
        model = Alias
        fields = ["id", "old_name", "event", "event_name", "created_at"]


class ConventionVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(
        source="author.username", read_only=True, default=None, allow_null=True
    )
    summary = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(
        help_text="What changed since the previous version, one line per rule."
    )

    class Meta:
        model = ConventionVersion
        fields = ["number", "preset", "rules", "note", "author", "created_at", "summary", "changes"]
        read_only_fields = ["number", "author", "created_at"]

    def get_summary(self, obj) -> str:
        from telemetry.convention_changes import rules_summary

        return rules_summary(obj.rules)

    def get_changes(self, obj) -> list[str]:
        from telemetry.convention_changes import rules_diff

        # Listing versions reads every version's rules once (see the view's context).
        rules = self.context.get("rules_by_number")
        if rules is None:
            rules = dict(
                ConventionVersion.objects.filter(number__lt=obj.number).values_list(
                    "number", "rules"
                )
            )
        earlier = [n for n in rules if n < obj.number]
        return rules_diff(rules[max(earlier)] if earlier else None, obj.rules)


class ImpactExampleSerializer(serializers.Serializer):
    name = serializers.CharField()
    message = serializers.CharField()
    suggestion = serializers.CharField(allow_null=True)


class TeamImpactSerializer(serializers.Serializer):
    team = serializers.CharField()
    total = serializers.IntegerField()
    before_percent = serializers.IntegerField()
    after_percent = serializers.IntegerField()
    newly_failing = serializers.IntegerField()
    newly_passing = serializers.IntegerField()
    examples = ImpactExampleSerializer(many=True)


class ConventionImpactSerializer(serializers.Serializer):
    before_percent = serializers.IntegerField()
    after_percent = serializers.IntegerField()
    newly_failing = serializers.IntegerField()
    teams = TeamImpactSerializer(many=True)


class CurrentConventionSerializer(ConventionVersionSerializer):
    """The convention in force: a built-in preset (number null) until an admin publishes one."""

    number = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ConventionPublishSerializer(serializers.Serializer):
    preset = serializers.CharField(max_length=20)
    rules = serializers.DictField(
        required=False, help_text="Convention.to_dict(); omitted: the preset's rules."
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class _NameListField(serializers.ListField):
    """A list of names whose plain items skip the child field: at 10,000 names its per-item
    validation (type, length, NUL and surrogate checks, each through DRF's machinery) was a
    sixth of the lint endpoint's time. An item that is not short plain ASCII text goes through
    the child, which answers exactly as before."""

    def run_child_validation(self, data):
        limit = self.child.max_length
        result, errors = [], {}
        for index, item in enumerate(data):
            # ASCII holds no surrogates; the child would return these items unchanged.
            if type(item) is str and len(item) <= limit and item.isascii() and "\x00" not in item:
                result.append(item)
                continue
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
            except DjangoValidationError as exc:
                errors[index] = get_error_detail(exc)
        if errors:
            raise serializers.ValidationError(errors)
        return result


class LintRequestSerializer(serializers.Serializer):
    names = _NameListField(
        child=serializers.CharField(
            max_length=linting.LINT_NAME_MAX_LENGTH, trim_whitespace=False, allow_blank=True
        ),
        min_length=1,
        max_length=linting.LINT_BATCH_LIMIT,
        error_messages={
            "max_length": f"Send at most {linting.LINT_BATCH_LIMIT:,} names per request; split the list.",
            "min_length": "Send at least one name.",
        },
    )
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=["event", "property"], default="event")

    def validate_names(self, names):
        for index, name in enumerate(names):
            if not name.strip():
                raise serializers.ValidationError(
                    {index: [f"Name {index} is empty or only whitespace; remove it or fill it in."]}
                )
        return names


class LintViolationSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    part = serializers.CharField()


class LintDuplicateSerializer(serializers.Serializer):
    name = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    score = serializers.FloatField()


class LintResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    violations = LintViolationSerializer(many=True)
    suggestion = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    duplicates = LintDuplicateSerializer(many=True)


class LintResponseSerializer(serializers.Serializer):
    results = LintResultSerializer(many=True)


class PlanImportSerializer(serializers.ModelSerializer):
    """Where an uploaded tracking plan stands: read, previewed, importing or imported."""

    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    events = serializers.SerializerMethodField()
    invalid = serializers.SerializerMethodField()
    skipped = serializers.SerializerMethodField()

    class Meta:
        model = PlanImport
        fields = [
            "token",
            "team",
            "format",
            "filename",
            "status",
            "done",
            "total",
            "percent",
            "events",
            "invalid",
            "skipped",
            "error",
            "result",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _rows(self, obj, skipped: bool):
        rows = (obj.parsed or {}).get("invalid", [])
        return [
            {"where": r["where"], "reason": r["reason"]}
            for r in rows
            if bool(r.get("skipped")) == skipped
        ][:500]

    def get_events(self, obj) -> int:
        return len((obj.parsed or {}).get("events", []))

    def get_invalid(self, obj) -> list[dict]:
        return self._rows(obj, False)

    def get_skipped(self, obj) -> list[dict]:
        return self._rows(obj, True)


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField()
    reason = serializers.CharField()
    score = serializers.FloatField()


class EventCreatedSerializer(EventSerializer):
    duplicates = DuplicateSerializer(
        many=True,
        read_only=True,
        help_text="Events already in the catalogue that look like this one; reuse one instead.",
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "duplicates"]
        read_only_fields = fields


class ReuseSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        help_text="Your team, which sends this event from now on.",
    )


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.all(), help_text="The event this one becomes an old name of."
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
