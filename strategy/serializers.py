from datetime import datetime

from rest_framework import serializers

from productops.accounts.models import Team, User
from strategy import rendering
from strategy.models import PART_MAX, Disposition, Point, Reply, Section, Strategy, Version


class StrategySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    audience_teams = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "title",
            "owner",
            "audience_teams",
            "phase",
            "feedback_opens_at",
            "feedback_closes_at",
            "decision_due",
            "revealed_at",
            "voting_closes_at",
            "finalised_at",
            "vote_budget",
            "updated_at",
        ]


class StrategyDraftSerializer(serializers.Serializer):
    """Input for creating or editing the working copy."""

    title = serializers.CharField(max_length=160)
    audience_teams = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Team.objects.all()
    )
    delegates = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        queryset=User.objects.filter(is_active=True),
        required=False,
    )
    diagnosis = serializers.CharField(max_length=PART_MAX, required=False, allow_blank=True)
    guiding_policy = serializers.CharField(max_length=PART_MAX, required=False, allow_blank=True)
    bets = serializers.CharField(max_length=PART_MAX, required=False, allow_blank=True)
    options = serializers.CharField(max_length=PART_MAX, required=False, allow_blank=True)
    assumptions = serializers.CharField(max_length=PART_MAX, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=rendering.MAX_BODY_CHARS, required=False, allow_blank=True
    )
    context_links = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    vote_budget = serializers.IntegerField(min_value=1, max_value=20, required=False)
    decision_due = serializers.DateField(required=False, allow_null=True)


WORKING_COPY_FIELDS = ("diagnosis", "guiding_policy", "bets", "options", "assumptions", "body")
_WORKING_COPY_HELP = (
    "The unpublished working copy: shown only to the owner and delegates, null for everyone else "
    "(read published text from /versions/)."
)


class StrategyDetailSerializer(StrategySerializer):
    """A strategy with its working copy, which only the owner and delegates receive.

    Pass context={"show_working_copy": viewer.is_owner}; without it the working copy is withheld.
    """

    diagnosis = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)
    guiding_policy = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)
    bets = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)
    options = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)
    assumptions = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)
    body = serializers.CharField(allow_null=True, help_text=_WORKING_COPY_HELP)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_working_copy"):
            for name in WORKING_COPY_FIELDS:
                data[name] = None
        return data

    class Meta(StrategySerializer.Meta):
        fields = [
            *StrategySerializer.Meta.fields,
            "diagnosis",
            "guiding_policy",
            "bets",
            "options",
            "assumptions",
            "body",
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["key", "heading", "level", "position", "markdown", "html"]


class VersionSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.username", read_only=True)
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Version
        fields = [
            "id",
            "strategy",
            "number",
            "change_summary",
            "published_by",
            "published_at",
            "sections",
        ]


class PublishSerializer(serializers.Serializer):
    change_summary = serializers.CharField(max_length=2000)
    closes_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Required for the first version: when the feedback window closes.",
    )
    override_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Strategy.Phase.choices)
    override_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class ReadSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    section_keys = serializers.ListField(
        child=serializers.CharField(max_length=80, allow_blank=True), max_length=200
    )


class ReadConfirmationSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=280)


class DiffRowSerializer(serializers.Serializer):
    tag = serializers.CharField()
    left = serializers.CharField()
    right = serializers.CharField()


class SectionDiffSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.CharField()
    old_heading = serializers.CharField()
    new_heading = serializers.CharField()
    rows = DiffRowSerializer(many=True)


class ReplySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Reply
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class DispositionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = Disposition
        fields = ["status", "reason", "section_key", "decided_by", "decided_at"]
        read_only_fields = ["decided_by", "decided_at"]


class PointSerializer(serializers.ModelSerializer):
    """Output. Anonymous points carry no author (there is none stored) and no creation time."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    created_at = serializers.SerializerMethodField()

    author = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField(
        help_text="The team's slug; null for anonymous points pooled across small teams."
    )
    voice = serializers.CharField(read_only=True)
    vote_count = serializers.SerializerMethodField(
        help_text="Null while voting is open: nobody sees the tallies until voting closes."
    )
    disposition = DispositionSerializer(read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = Point
        fields = [
            "id",
            "strategy",
            "version",
            "section_key",
            "quote",
            "type",
            "body",
            "rationale",
            "cost",
            "confidence",
            "author",
            "team",
            "voice",
            "on_behalf_of_team",
            "is_anonymous",
            "is_clarifying",
            "vote_count",
            "created_at",
            "disposition",
            "replies",
        ]

    def get_vote_count(self, point) -> int | None:
        return point.vote_count if self.context.get("show_tallies") else None

    def get_created_at(self, point) -> datetime | None:
        # When an anonymous point was written could tell who wrote it.
        if point.is_anonymous:
            return None
        return serializers.DateTimeField().to_representation(point.created_at)

    def get_team(self, point) -> str | None:
        if point.team is None:
            return None
        if point.is_anonymous and not getattr(point, "anon_team_shown", False):
            return None
        return point.team.slug

    def get_author(self, point) -> str | None:
        return point.author.username if point.author_id and point.author else None


class PointCreateSerializer(serializers.Serializer):
    strategy = serializers.IntegerField()
    type = serializers.ChoiceField(choices=Point.Type.choices)
    body = serializers.CharField(max_length=4000)
    section_key = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    quote = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    rationale = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    cost = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    confidence = serializers.ChoiceField(
        choices=Point.Confidence.choices, required=False, allow_blank=True, default=""
    )
    team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    on_behalf_of_team = serializers.BooleanField(required=False, default=False)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    is_clarifying = serializers.BooleanField(required=False, default=False)
    assumption = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The public id of an assumption of this strategy the point critiques.",
    )


class DispositionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Disposition.Status.choices)
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    section_key = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class VoteResultSerializer(serializers.Serializer):
    point = serializers.UUIDField()
    voted = serializers.BooleanField(help_text="Whether your dot is on this point now.")
    vote_count = serializers.IntegerField(
        allow_null=True, help_text="Null while voting is open; the tally once it has closed."
    )
    votes_left = serializers.IntegerField()
