"""REST API for strategies: the same services, and so the same rules, as the pages."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from productops import page_cache
from productops.api_limits import Router
from strategy import access, api_rows, feedback, records, review_api, services
from strategy.models import Point, Section, Strategy, Version, Vote
from strategy.serializers import (
    DispositionInputSerializer,
    DispositionSerializer,
    PointCreateSerializer,
    PointSerializer,
    PublishSerializer,
    ReadConfirmationSerializer,
    ReadSerializer,
    ReplySerializer,
    SectionDiffSerializer,
    StrategyDetailSerializer,
    StrategyDraftSerializer,
    StrategySerializer,
    TransitionSerializer,
    VersionSerializer,
    VoteResultSerializer,
)


def _point_context(strategy) -> dict:
    return {"show_tallies": strategy.tallies_visible()}


def _detail(strategy, viewer) -> dict:
    # The working copy is the owner's notebook: the audience, leadership and admins read versions.
    return StrategyDetailSerializer(strategy, context={"show_working_copy": viewer.is_owner}).data


class StrategyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = StrategySerializer
    filterset_fields = ["phase"]

    def get_queryset(self):
        return (
            Strategy.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("audience_teams")
            .order_by("-updated_at", "-id")
        )

    @page_cache.api_read
    def list(self, request, *args, **kwargs):
        # Rows built from flat queries (strategy/api_rows.py), equal to the serializer's.
        strategies = self.filter_queryset(
            Strategy.objects.visible_to(request.user).order_by("-updated_at", "-id")
        )
        page = self.paginate_queryset(api_rows.row_values(strategies))
        if page is None:
            return Response(api_rows.strategy_rows(api_rows.row_values(strategies)))
        return self.get_paginated_response(api_rows.strategy_rows(page))

    def _get(self, pk):
        return access.strategy_get_for(self.request.user, pk)

    @extend_schema(responses=StrategyDetailSerializer)
    def retrieve(self, request, pk=None):
        strategy, viewer = self._get(pk)
        return Response(_detail(strategy, viewer))

    @extend_schema(request=StrategyDraftSerializer, responses={201: StrategyDetailSerializer})
    def create(self, request):
        data = StrategyDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        strategy = services.strategy_create(
            by=request.user,
            audience_teams=fields.pop("audience_teams"),
            delegates=fields.pop("delegates", []),
            **fields,
        )
        return Response(
            StrategyDetailSerializer(strategy, context={"show_working_copy": True}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=StrategyDraftSerializer, responses=StrategyDetailSerializer)
    def partial_update(self, request, pk=None):
        """Edit the working copy. Published versions never change."""
        strategy, viewer = self._get(pk)
        data = StrategyDraftSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        services.draft_update(
            strategy=strategy,
            by=request.user,
            audience_teams=fields.pop("audience_teams", None),
            delegates=fields.pop("delegates", None),
            **fields,
        )
        strategy.refresh_from_db()
        return Response(_detail(strategy, viewer))

    @extend_schema(request=PublishSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the working copy as the next version; the first one opens the feedback window."""
        strategy, viewer = self._get(pk)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_publish(
            strategy=strategy, by=request.user, **data.validated_data
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses=StrategySerializer)
    @action(detail=True, methods=["post"])
    def phase(self, request, pk=None):
        strategy, viewer = self._get(pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = services.strategy_transition(
            strategy=strategy, by=request.user, **data.validated_data
        )
        return Response(StrategySerializer(strategy).data)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        strategy, viewer = self._get(pk)
        versions = strategy.versions.select_related("published_by").prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position"))
        )
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, description="Older version number"),
            OpenApiParameter("b", int, description="Newer version number"),
        ],
        responses=SectionDiffSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def diff(self, request, pk=None):
        strategy, viewer = self._get(pk)
        try:
            a, b = int(request.query_params["a"]), int(request.query_params["b"])
        except (KeyError, ValueError) as exc:
            raise ValidationError({"a": "Give two version numbers: ?a=1&b=2."}) from exc
        old = strategy.versions.filter(number=a).first()
        new = strategy.versions.filter(number=b).first()
        if not old or not new:
            raise NotFound("No such version.")
        return Response(SectionDiffSerializer(records.versions_diff(old, new), many=True).data)

    @extend_schema(request=ReadSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Record the sections of a version the caller has read."""
        strategy, viewer = self._get(pk)
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = get_object_or_404(
            Version, strategy=strategy, number=data.validated_data["version"]
        )
        services.read_record(
            version=version, user=request.user, section_keys=data.validated_data["section_keys"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ReadConfirmationSerializer, responses={201: ReadConfirmationSerializer})
    @action(detail=True, methods=["post"], url_path="read-confirmation")
    def read_confirmation(self, request, pk=None):
        strategy, viewer = self._get(pk)
        data = ReadConfirmationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmation = services.read_confirm(
            strategy=strategy, by=request.user, summary=data.validated_data["summary"]
        )
        return Response({"summary": confirmation.summary}, status=status.HTTP_201_CREATED)


class VersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Published versions are read-only: there is no endpoint that edits one."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        visible = [
            s.pk
            for s in Strategy.objects.visible_to(self.request.user).only("id", "phase", "owner_id")
        ]
        return (
            Version.objects.filter(strategy_id__in=visible)
            .select_related("published_by")
            .prefetch_related("sections")
            .order_by("strategy_id", "number")
        )

    def get_object(self):
        version = super().get_object()
        access.strategy_get_for(self.request.user, version.strategy_id)
        return version


class FeedbackViewSet(viewsets.GenericViewSet):
    """Feedback and alternatives ("points"). Listing needs ?strategy=<id> and shows only what the caller may see.

    A point's id is its random public id (a UUID), listed in random order.
    """

    serializer_class = PointSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return Point.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("strategy", int, required=True)],
        responses=PointSerializer(many=True),
    )
    def list(self, request):
        strategy, viewer = access.strategy_get_for(
            request.user, request.query_params.get("strategy")
        )
        points = feedback.prefetch_discussion(
            feedback.points_visible_to(strategy, request.user, viewer)
        )
        page = self.paginate_queryset(points.order_by("public_id"))
        feedback.label_voices(page, feedback.floor_for(strategy))
        return self.get_paginated_response(
            PointSerializer(page, many=True, context=_point_context(strategy)).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("strategy", int, required=True)],
        responses=PointSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """Your own points on a strategy, anonymous ones included, each with its disposition.

        Anonymous points are found by your private receipt; no endpoint says whose a point is.
        """
        strategy, viewer = access.strategy_get_for(
            request.user, request.query_params.get("strategy")
        )
        points = feedback.my_points(strategy, request.user)
        return Response(PointSerializer(points, many=True, context=_point_context(strategy)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Withdraw your own point (named or anonymous) while the window is open."""
        point = feedback.own_point_get(request.user, pk)
        feedback.point_withdraw(point=point, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def retrieve(self, request, pk=None):
        point, strategy, viewer = feedback.point_get_for(request.user, pk)
        feedback.label_voices([point], feedback.floor_for(strategy))
        return Response(PointSerializer(point, context=_point_context(strategy)).data)

    @extend_schema(request=PointCreateSerializer, responses={201: PointSerializer})
    def create(self, request):
        data = PointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        strategy, viewer = access.strategy_get_for(request.user, fields.pop("strategy"))
        point = feedback.point_create(strategy=strategy, by=request.user, **fields)
        return Response(
            PointSerializer(point, context=_point_context(strategy)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=VoteResultSerializer)
    @action(detail=True, methods=["post", "delete"])
    def vote(self, request, pk=None):
        """POST spends one of your votes on this point; DELETE takes it back."""
        point, strategy, viewer = feedback.point_get_for(request.user, pk)
        if request.method == "DELETE":
            feedback.vote_withdraw(point=point, by=request.user)
        else:
            feedback.vote_cast(point=point, by=request.user)
        point.refresh_from_db()
        return Response(
            {
                "point": point.public_id,
                "voted": Vote.objects.filter(point=point, user=request.user).exists(),
                "vote_count": point.vote_count if strategy.tallies_visible() else None,
                "votes_left": feedback.votes_left(strategy, request.user),
            }
        )

    @extend_schema(request=ReplySerializer, responses={201: ReplySerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        point, strategy, viewer = feedback.point_get_for(request.user, pk)
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = feedback.reply_create(
            point=point, by=request.user, body=data.validated_data["body"]
        )
        return Response(ReplySerializer(reply).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DispositionInputSerializer, responses=DispositionSerializer)
    @action(detail=True, methods=["put"])
    def disposition(self, request, pk=None):
        point, strategy, viewer = feedback.point_get_for(request.user, pk)
        data = DispositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disposition = services.disposition_set(point=point, by=request.user, **data.validated_data)
        return Response(DispositionSerializer(disposition).data)


router = Router()
router.register("strategies", StrategyViewSet, basename="strategy")
router.register("versions", VersionViewSet, basename="strategy-version")
router.register("feedback", FeedbackViewSet, basename="strategy-feedback")
review_api.register(router)

urlpatterns = router.urls
