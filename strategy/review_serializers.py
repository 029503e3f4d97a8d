"""API shapes for assumptions, ratings, review sessions and decision records.

Everything is addressed by its random public id. Ratings appear only as one's own or as spreads
after the reveal; positions only as one's own until the facilitator reveals them.
"""

from rest_framework import serializers

from productops.accounts.models import User
from strategy.models import (
    AgendaItem,
    Assumption,
    Commitment,
    DecisionRecord,
    Position,
    ReviewSession,
    SessionQuestion,
)

# --- assumptions and ratings ---------------------------------------------------------------


class SpreadSerializer(serializers.Serializer):
    label = serializers.CharField()
    n = serializers.IntegerField(help_text="Raters; 0 where fewer than three rated (hidden).")
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Ratings of 1..5.")
    mean = serializers.FloatField(allow_null=True)
    stdev = serializers.FloatField(allow_null=True)
    hidden = serializers.BooleanField()


class AssumptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    my_rating = serializers.SerializerMethodField()
    spread = serializers.SerializerMethodField(
        help_text="Null until the reveal; then the overall spread (hidden below three raters)."
    )
    teams = serializers.SerializerMethodField(
        help_text="Per team, under the k floor; [] before the reveal."
    )

    class Meta:
        model = Assumption
        fields = ["id", "strategy", "text", "position", "my_rating", "spread", "teams"]

    def get_my_rating(self, obj) -> dict | None:
        rating = self.context.get("mine", {}).get(obj.pk)
        return {"score": rating.score, "reason": rating.reason} if rating else None

    def get_spread(self, obj) -> dict | None:
        found = self.context.get("spreads", {}).get(obj.pk)
        return SpreadSerializer(found.overall).data if found else None

    def get_teams(self, obj) -> list[dict]:
        found = self.context.get("spreads", {}).get(obj.pk)
        return SpreadSerializer(found.teams, many=True).data if found else []


class AssumptionCreateSerializer(serializers.Serializer):
    strategy = serializers.IntegerField()
    text = serializers.CharField(max_length=500)


class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 (very unsure) to 5 (certain)."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- sessions -----------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    outcome_owner = serializers.CharField(source="outcome_owner.username", default=None)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "kind",
            "subject_key",
            "title",
            "reason",
            "minutes",
            "settled",
            "disposition",
            "started_at",
            "positions_revealed_at",
            "leaders_revealed_at",
            "closed_at",
            "outcome_decision",
            "outcome_owner",
            "outcome_follow_up",
        ]


class ReviewSessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    current_item = serializers.SerializerMethodField()

    class Meta:
        model = ReviewSession
        fields = [
            "id",
            "strategy",
            "title",
            "starts_at",
            "length_minutes",
            "send_before_hours",
            "version",
            "status",
            "current_item",
            "agenda_sent_at",
            "revision",
        ]

    def get_current_item(self, obj) -> str | None:
        return str(obj.current_item.public_id) if obj.current_item_id else None


class ReviewSessionDetailSerializer(ReviewSessionSerializer):
    agenda = serializers.SerializerMethodField()
    settled = serializers.SerializerMethodField()

    class Meta(ReviewSessionSerializer.Meta):
        fields = [*ReviewSessionSerializer.Meta.fields, "agenda", "settled"]

    def _items(self, obj):
        if not hasattr(obj, "_items"):
            obj._items = list(obj.items.select_related("outcome_owner"))
        return obj._items

    def get_agenda(self, obj) -> list[dict]:
        return AgendaItemSerializer([i for i in self._items(obj) if not i.settled], many=True).data

    def get_settled(self, obj) -> list[dict]:
        return AgendaItemSerializer([i for i in self._items(obj) if i.settled], many=True).data


class SessionCreateSerializer(serializers.Serializer):
    strategy = serializers.IntegerField()
    title = serializers.CharField(max_length=160)
    starts_at = serializers.DateTimeField()
    length_minutes = serializers.IntegerField(min_value=10, max_value=240)
    send_before_hours = serializers.IntegerField(min_value=1, max_value=168)


class AgendaItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    minutes = serializers.IntegerField(min_value=1, max_value=240)


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class PositionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Position
        fields = ["user", "stance", "line", "is_leader"]
        read_only_fields = ["user", "is_leader"]


class PositionInputSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Position.Stance.choices)
    line = serializers.CharField(max_length=200)


class PositionsSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="How many recorded; the positions stay sealed.")
    mine = PositionSerializer(allow_null=True)
    shown = PositionSerializer(many=True, help_text="Revealed positions only; leaders' last.")
    leaders_pending = serializers.BooleanField()


class OutcomeSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=2000)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    follow_up = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class QuestionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = SessionQuestion
        fields = ["id", "body", "votes", "answered", "created_at"]
        read_only_fields = ["votes", "answered", "created_at"]


class LiveStateSerializer(serializers.Serializer):
    session = ReviewSessionSerializer()
    item = AgendaItemSerializer(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    positions = PositionsSerializer()
    questions = QuestionSerializer(many=True)


# --- decisions ----------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "user", "kind", "statement", "prediction", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class DecisionRecordSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = DecisionRecord
        fields = [
            "id",
            "strategy",
            "decided",
            "given_up",
            "owner",
            "review_on",
            "finalised_at",
            "reopened_at",
            "commitments",
        ]


class DecisionRecordInputSerializer(serializers.Serializer):
    strategy = serializers.IntegerField()
    decided = serializers.CharField(max_length=4000)
    given_up = serializers.CharField(max_length=4000)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    review_on = serializers.DateField()
    finalise = serializers.BooleanField(
        default=False, help_text="Freeze the record and finalise the strategy."
    )


class CommitmentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Commitment.Kind.choices)
    statement = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    prediction = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )


# --- second round, anchors, groups ---------------------------------------------------------


class VerdictInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=[("agree", "Agree"), ("object", "Still object")])
    line = serializers.CharField(max_length=200)


class AnchorAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("keep", "Keep"), ("withdraw", "No longer applies"), ("reaim", "Re-aim")]
    )
    section_key = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    quote = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AnchorCheckSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    point = serializers.UUIDField(source="point.public_id")
    version = serializers.IntegerField(source="version.number")
    from_section_key = serializers.CharField()
    from_quote = serializers.CharField()
    to_section_key = serializers.CharField()
    to_quote = serializers.CharField()
    decision = serializers.CharField()


class GroupAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["adopted", "adapted", "declined", "parked"])
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PointGroupSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    points = serializers.SerializerMethodField()
    voices = serializers.ListField(child=serializers.CharField())
    open = serializers.IntegerField(help_text="Points of the group still awaiting an answer.")

    def get_points(self, obj) -> list[str]:
        return [str(p.public_id) for p in obj.members]
