from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from productops.accounts.forms import TIME_ZONE_CHOICES
from productops.accounts.models import ApiToken, Membership, Notification, Team, User

_ZONES = frozenset(zone for zone, _ in TIME_ZONE_CHOICES)


@extend_schema_field({"type": "string", "enum": sorted(_ZONES)})
class TimeZoneField(serializers.CharField):
    """An IANA zone name. Not a ChoiceField: DRF deep-copies every field's arguments whenever it
    builds a serializer, and copying ~600 choices was most of the CPU of GET /me/."""

    default_error_messages = {"invalid_choice": '"{input}" is not a valid choice.'}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in _ZONES:
            self.fail("invalid_choice", input=value)
        return value


class UserSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    time_zone = TimeZoneField()
    teams = serializers.SerializerMethodField()
    pending_email = serializers.SerializerMethodField(
        help_text="A new address waiting for its confirmation link; null when there is none."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "display_name",
            "email",
            "pending_email",
            "time_zone",
            "notification_preference",
            "is_productops_admin",
            "is_leadership",
            "is_researcher",
            "teams",
        ]
        read_only_fields = [
            "username",
            "pending_email",
            "is_productops_admin",
            "is_leadership",
            "is_researcher",
        ]
        extra_kwargs = {
            "email": {
                "help_text": "Sending a new address does not change it yet: a confirmation link "
                "goes to that address, which shows as pending_email until confirmed."
            },
        }

    def get_pending_email(self, user) -> str | None:
        return user.pending_email or None

    def get_teams(self, user) -> list[dict]:
        return [
            {"slug": m.team.slug, "name": m.team.name, "role": m.role}
            for m in user.memberships.select_related("team")
        ]


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "mission", "product_area", "member_count"]
        read_only_fields = ["slug", "name"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "team", "role", "joined_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)

    def validate_username(self, value):
        user = User.objects.filter(username__iexact=value.strip(), is_active=True).first()
        if user is None:
            raise serializers.ValidationError(f"No active colleague signs in as '{value}'.")
        if Membership.objects.filter(user=user, team=self.context["team"]).exists():
            raise serializers.ValidationError(f"{user.name} is already in this team.")
        return user


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["hint", "created_at", "last_used_at", "revoked_at"]

    def validate_name(self, value):
        name = " ".join(value.split())
        if not name:
            raise serializers.ValidationError(
                "Give the token a name so you can recognise it later."
            )
        if self.context["request"].user.api_tokens.active().filter(name__iexact=name).exists():
            raise serializers.ValidationError("You already have an active token with this name.")
        return name


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "key", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields
