"""Drift and sources over the API, under the same rules as the pages: everyone signed in reads a
team's drift, only ProductOps admins see what no team owns, and sources change hands through
the same service as on the drift page."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from productops.accounts.models import Team
from telemetry import drift_actions
from telemetry.models import DriftItem, Source


class DriftItemSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    event = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DriftItem
        fields = [
            "id",
            "kind",
            "name",
            "detail",
            "team",
            "event",
            "data",
            "first_found",
            "last_found",
        ]


class SourceSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), allow_null=True, required=True
    )

    # Plain text here: the platform codes already have their enum in the schema (Platform).
    platform = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = ["id", "key", "team", "platform", "created_at"]
        read_only_fields = ["key", "platform", "created_at"]


@extend_schema(
    parameters=[
        OpenApiParameter("team", str, description="Owning team's slug"),
        OpenApiParameter("kind", str, enum=[k for k, _ in DriftItem.Kind.choices]),
    ]
)
class DriftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open drift between the registry and production traffic, as of the last nightly check."""

    serializer_class = DriftItemSerializer
    queryset = DriftItem.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DriftItem.objects.none()
        items = DriftItem.objects.filter(resolved_at=None).select_related("team")
        if not self.request.user.is_productops_admin:
            items = items.exclude(team=None)
        params = self.request.query_params
        if params.get("team"):
            items = items.filter(team__slug=params["team"])
        if params.get("kind"):
            items = items.filter(kind=params["kind"])
        return items.order_by("kind", "name", "detail")


class SourceViewSet(mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Where observed events come from and which team they count for. Members claim unassigned
    sources for their team; ProductOps admins see and assign every source."""

    serializer_class = SourceSerializer
    queryset = Source.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Source.objects.none()
        sources = Source.objects.select_related("team").order_by("key")
        if not self.request.user.is_productops_admin:
            mine = Team.objects.for_user(self.request.user)
            if self.action == "list":
                return sources.filter(team__in=mine)
        return sources

    def perform_update(self, serializer):
        try:
            drift_actions.source_assign(
                source=serializer.instance,
                team=serializer.validated_data.get("team"),
                by=self.request.user,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
