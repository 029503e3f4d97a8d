"""REST API for assumptions and ratings, review sessions (agenda, positions, questions, outcomes)
and decision records with their commitments: the same workflow functions as the pages."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy import (
    access,
    anchors,
    assumptions,
    decisions,
    feedback,
    grouping,
    live,
    reviews,
    second_round,
)
from strategy.models import Assumption, DecisionRecord, ReviewSession
from strategy.review_serializers import (
    AgendaItemCreateSerializer,
    AgendaItemSerializer,
    AnchorAnswerSerializer,
    AnchorCheckSerializer,
    AssumptionCreateSerializer,
    AssumptionSerializer,
    CommitmentInputSerializer,
    CommitmentSerializer,
    DecisionRecordInputSerializer,
    DecisionRecordSerializer,
    GroupAnswerSerializer,
    LiveStateSerializer,
    MoveSerializer,
    OutcomeSerializer,
    PointGroupSerializer,
    PositionInputSerializer,
    PositionSerializer,
    QuestionSerializer,
    RatingSerializer,
    ReviewSessionDetailSerializer,
    ReviewSessionSerializer,
    SessionCreateSerializer,
    VerdictInputSerializer,
)

UUID = "[0-9a-fA-F-]{36}"
STRATEGY_PARAM = OpenApiParameter("strategy", int, required=True)


def _strategy(request):
    return access.strategy_get_for(request.user, request.query_params.get("strategy"))


class AssumptionViewSet(viewsets.GenericViewSet):
    """A strategy's assumptions. Ratings are sealed: you see your own, and after the reveal the
    spreads (per team only where at least three of its people rated)."""

    serializer_class = AssumptionSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return Assumption.objects.none()

    def _context(self, strategy, user):
        return {
            "mine": assumptions.my_ratings(strategy, user),
            "spreads": {s.assumption.pk: s for s in assumptions.spreads(strategy)},
        }

    @extend_schema(parameters=[STRATEGY_PARAM], responses=AssumptionSerializer(many=True))
    def list(self, request):
        strategy, viewer = _strategy(request)
        page = self.paginate_queryset(strategy.assumption_items.all())
        return self.get_paginated_response(
            AssumptionSerializer(
                page, many=True, context=self._context(strategy, request.user)
            ).data
        )

    @extend_schema(request=AssumptionCreateSerializer, responses={201: AssumptionSerializer})
    def create(self, request):
        data = AssumptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy, viewer = access.strategy_get_for(request.user, data.validated_data["strategy"])
        item = assumptions.assumption_add(
            strategy=strategy, by=request.user, text=data.validated_data["text"]
        )
        return Response(AssumptionSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        item, strategy, viewer = assumptions.assumption_get_for(request.user, pk)
        assumptions.assumption_remove(assumption=item, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RatingSerializer, responses=RatingSerializer)
    @action(detail=True, methods=["put"])
    def rating(self, request, pk=None):
        """Record or change your sealed confidence (1–5) while the feedback window is open."""
        item, strategy, viewer = assumptions.assumption_get_for(request.user, pk)
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = assumptions.rating_set(assumption=item, by=request.user, **data.validated_data)
        return Response(RatingSerializer(rating).data)


class ReviewSessionViewSet(viewsets.GenericViewSet):
    """Review sessions with their agenda proposed from disagreement, and the live state."""

    serializer_class = ReviewSessionSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return ReviewSession.objects.none()

    @extend_schema(parameters=[STRATEGY_PARAM], responses=ReviewSessionSerializer(many=True))
    def list(self, request):
        strategy, viewer = _strategy(request)
        qs = strategy.review_sessions.select_related("version", "current_item")
        if not strategy.is_revealed:
            qs = qs.none()
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ReviewSessionSerializer(page, many=True).data)

    @extend_schema(responses=ReviewSessionDetailSerializer)
    def retrieve(self, request, pk=None):
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        return Response(ReviewSessionDetailSerializer(session).data)

    @extend_schema(request=SessionCreateSerializer, responses={201: ReviewSessionDetailSerializer})
    def create(self, request):
        data = SessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        strategy, viewer = access.strategy_get_for(request.user, fields.pop("strategy"))
        session = reviews.session_create(strategy=strategy, by=request.user, **fields)
        return Response(ReviewSessionDetailSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgendaItemCreateSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        data = AgendaItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = reviews.agenda_item_add(session=session, by=request.user, **data.validated_data)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=LiveStateSerializer)
    @action(detail=True, methods=["get"])
    def live(self, request, pk=None):
        """What the session page shows you now: positions stay sealed until revealed."""
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        state = live.state_for(session=session, user=request.user, viewer=viewer)
        return Response(
            LiveStateSerializer(
                {
                    "session": session,
                    "item": state["live_item"],
                    "ends_at": state["ends_at"],
                    "positions": state["positions"],
                    "questions": state["questions"],
                }
            ).data
        )

    @extend_schema(request=None, responses=ReviewSessionSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        live.session_start(session=session, by=request.user)
        session.refresh_from_db()
        return Response(ReviewSessionSerializer(session).data)

    @extend_schema(request=None, responses=ReviewSessionSerializer)
    @action(detail=True, methods=["post"], url_path="next")
    def next_item(self, request, pk=None):
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        live.item_advance(session=session, by=request.user)
        session.refresh_from_db()
        return Response(ReviewSessionSerializer(session).data)

    @extend_schema(request=QuestionSerializer, responses={201: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def questions(self, request, pk=None):
        session, strategy, viewer = reviews.session_get_for(request.user, pk)
        data = QuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = live.question_add(
            session=session, by=request.user, body=data.validated_data["body"]
        )
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class AgendaItemViewSet(viewsets.GenericViewSet):
    """One agenda item: edit it before the session, and during it record positions and the outcome."""

    serializer_class = AgendaItemSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return ReviewSession.objects.none()

    def destroy(self, request, pk=None):
        """Takes the item off the agenda: it is listed as settled in writing."""
        item, session, viewer = reviews.item_get_for(request.user, pk)
        reviews.agenda_item_remove(item=item, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        item, session, viewer = reviews.item_get_for(request.user, pk)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.agenda_item_move(item=item, by=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PositionInputSerializer, responses={201: PositionSerializer})
    @action(detail=True, methods=["post"])
    def positions(self, request, pk=None):
        """Your private position; sealed from everyone until the facilitator reveals them."""
        item, session, viewer = reviews.item_get_for(request.user, pk)
        data = PositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        position = live.position_record(item=item, by=request.user, **data.validated_data)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """First call reveals everyone's positions but the leaders'; the second the leaders'."""
        item, session, viewer = reviews.item_get_for(request.user, pk)
        return Response({"revealed": live.positions_reveal(item=item, by=request.user)})

    @extend_schema(request=OutcomeSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["put"])
    def outcome(self, request, pk=None):
        item, session, viewer = reviews.item_get_for(request.user, pk)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = live.outcome_record(item=item, by=request.user, **data.validated_data)
        return Response(AgendaItemSerializer(item).data)


class SessionQuestionViewSet(viewsets.GenericViewSet):
    serializer_class = QuestionSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return ReviewSession.objects.none()

    @extend_schema(request=None, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def upvote(self, request, pk=None):
        question, session, viewer = live.question_get_for(request.user, pk)
        return Response(
            QuestionSerializer(live.question_upvote(question=question, by=request.user)).data
        )


class DecisionRecordViewSet(viewsets.GenericViewSet):
    """A strategy's decision record and everyone's commitments, dissents included."""

    serializer_class = DecisionRecordSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return DecisionRecord.objects.none()

    @extend_schema(parameters=[STRATEGY_PARAM], responses=DecisionRecordSerializer)
    def list(self, request):
        strategy, viewer = _strategy(request)
        record = (
            DecisionRecord.objects.select_related("owner")
            .prefetch_related("commitments__user")
            .filter(strategy=strategy)
            .first()
        )
        if record is None:
            raise Http404("No decision recorded yet.")
        return Response(DecisionRecordSerializer(record).data)

    @extend_schema(request=DecisionRecordInputSerializer, responses=DecisionRecordSerializer)
    def create(self, request):
        """Create or redraft the record (until it is final); `finalise` freezes it."""
        data = DecisionRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        strategy, viewer = access.strategy_get_for(request.user, fields.pop("strategy"))
        finalise = fields.pop("finalise")
        with transaction.atomic():
            record = decisions.record_save(strategy=strategy, by=request.user, **fields)
            if finalise:
                record = decisions.record_finalise(record=record, by=request.user)
        return Response(DecisionRecordSerializer(record).data)

    @extend_schema(request=CommitmentInputSerializer, responses={201: CommitmentSerializer})
    @action(detail=True, methods=["post"])
    def commitments(self, request, pk=None):
        record, strategy, viewer = decisions.record_get_for(request.user, pk)
        data = CommitmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = decisions.commitment_record(
            record=record, by=request.user, **data.validated_data
        )
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)


class SecondRoundViewSet(viewsets.GenericViewSet):
    """Your verdict on the answer to one of your points, during a second round (sealed until it closes)."""

    serializer_class = VerdictInputSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return DecisionRecord.objects.none()

    @extend_schema(request=VerdictInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        point = feedback.own_point_get(request.user, pk)
        data = VerdictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        second_round.verdict_record(point=point, by=request.user, **data.validated_data)
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)


class AnchorCheckViewSet(viewsets.GenericViewSet):
    """ "Does this still apply?" for your own points whose quoted passage changed."""

    serializer_class = AnchorCheckSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return DecisionRecord.objects.none()

    @extend_schema(parameters=[STRATEGY_PARAM], responses=AnchorCheckSerializer(many=True))
    def list(self, request):
        strategy, viewer = _strategy(request)
        mine = feedback.my_points(strategy, request.user)
        pending = anchors.pending_for(mine)
        checks = [c for c in pending.values()]
        for check in checks:
            check.point = next(p for p in mine if p.pk == check.point_id)
        return Response(AnchorCheckSerializer(checks, many=True).data)

    @extend_schema(request=AnchorAnswerSerializer, responses=AnchorCheckSerializer)
    def update(self, request, pk=None):
        check = anchors.check_get_for(request.user, pk)
        data = AnchorAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = anchors.check_answer(check=check, by=request.user, **data.validated_data)
        return Response(AnchorCheckSerializer(check).data)


class PointGroupViewSet(viewsets.GenericViewSet):
    """Similar points, answered once: the owner builds groups, answers one, splits a point out."""

    serializer_class = PointGroupSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        return DecisionRecord.objects.none()

    @extend_schema(parameters=[STRATEGY_PARAM], responses=PointGroupSerializer(many=True))
    def list(self, request):
        strategy, viewer = _strategy(request)
        if not (viewer.is_owner or viewer.is_admin):
            raise PermissionDenied("Groups are for the owner and delegates.")
        return Response(PointGroupSerializer(grouping.groups_for(strategy), many=True).data)

    @extend_schema(request=None, parameters=[STRATEGY_PARAM], responses={201: None})
    def create(self, request):
        """(Re)build the groups of the points still awaiting an answer."""
        strategy, viewer = _strategy(request)
        n = grouping.groups_build(strategy=strategy, by=request.user)
        return Response({"groups": n}, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupAnswerSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        group, strategy = grouping.group_get_for(request.user, pk)
        data = GroupAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            {
                "answered": grouping.group_dispose(
                    group=group, by=request.user, **data.validated_data
                )
            }
        )


def register(router) -> None:
    router.register("assumptions", AssumptionViewSet, basename="strategy-assumption")
    router.register("sessions", ReviewSessionViewSet, basename="strategy-session")
    router.register("agenda-items", AgendaItemViewSet, basename="strategy-agenda-item")
    router.register("session-questions", SessionQuestionViewSet, basename="strategy-question")
    router.register("decision-records", DecisionRecordViewSet, basename="strategy-decision")
    router.register("second-round", SecondRoundViewSet, basename="strategy-second-round")
    router.register("anchor-checks", AnchorCheckViewSet, basename="strategy-anchor-check")
    router.register("point-groups", PointGroupViewSet, basename="strategy-point-group")
