"""REST API for scheduling, with the pages' permissions: bookings, invitations, sending, outcomes, metrics."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from productops.accounts.permissions import IsProductOpsAdmin
from research import invitations, outcomes, scheduling_views
from research.models import Availability, Booking, Invitation, ResearchRequest


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = [
            "id",
            "request",
            "participant",
            "researcher",
            "starts_at",
            "ends_at",
            "status",
            "time_zone",
            "sequence",
            "screener_answers",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "request",
            "participant",
            "stratum",
            "wave",
            "status",
            "sent_at",
            "expires_at",
            "closed_at",
        ]
        read_only_fields = fields


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["completed", "no_show"])


class SendInput(serializers.Serializer):
    request = serializers.IntegerField(min_value=1)
    wave_size = serializers.IntegerField(min_value=1, max_value=500, required=False)


def _visible_requests(user):
    return ResearchRequest.objects.visible_to(user).values("pk")


class BookingViewSet(viewsets.ReadOnlyModelViewSet):
    """Sessions of the requests you can see (held and lapsed holds left out)."""

    serializer_class = BookingSerializer
    filterset_fields = ["request", "status", "researcher"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return (
            Booking.objects.filter(request__in=_visible_requests(self.request.user))
            .exclude(status__in=[Booking.Status.HELD, Booking.Status.RELEASED])
            .order_by("starts_at", "id")
        )

    @extend_schema(request=OutcomeInput, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Mark a past session completed or no-show (its researcher or a ProductOps admin)."""
        booking = self.get_object()
        data = OutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not booking.request.can_be_edited_by(request.user):
            raise PermissionDenied("Only the session's researcher can record its outcome.")
        booking = outcomes.booking_outcome(
            booking=booking, outcome=data.validated_data["outcome"], by=request.user
        )
        return Response(BookingSerializer(booking).data)


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InvitationSerializer
    filterset_fields = ["request", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return Invitation.objects.filter(request__in=_visible_requests(self.request.user)).order_by(
            "-sent_at", "-id"
        )

    @extend_schema(
        request=SendInput,
        responses={
            201: inline_serializer(
                "InvitationSendResult",
                {
                    "sent": InvitationSerializer(many=True),
                    "refused": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def send(self, request):
        """Invite a request's sample (or the next wave); each refusal names the fatigue rule."""
        data = SendInput(data=request.data)
        data.is_valid(raise_exception=True)
        research_request = get_object_or_404(
            ResearchRequest.objects.visible_to(request.user), pk=data.validated_data["request"]
        )
        if not research_request.can_be_edited_by(request.user):
            raise PermissionDenied(
                "Only the request's researcher and ProductOps admins can invite."
            )
        try:
            result = invitations.invitations_send(
                request=research_request,
                by=request.user,
                wave_size=data.validated_data.get("wave_size"),
            )
        except ValueError as e:
            raise ValidationError({"request": str(e)}) from None
        return Response(
            {
                "sent": InvitationSerializer(result.sent, many=True).data,
                "refused": [{"participant": p.pk, "reason": r} for p, r in result.refused],
            },
            status=status.HTTP_201_CREATED,
        )


class SchedulingMetricsView(APIView):
    permission_classes = [IsProductOpsAdmin]

    @extend_schema(
        responses=inline_serializer(
            "SchedulingMetrics",
            {
                "median_hours_to_first_session": serializers.FloatField(allow_null=True),
                "fill_rate": serializers.FloatField(allow_null=True),
                "no_show_rate": serializers.FloatField(allow_null=True),
                "invitations_per_completed_session": serializers.FloatField(allow_null=True),
            },
        )
    )
    def get(self, request):
        return Response(scheduling_views.scheduling_metrics())


class AvailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Availability
        fields = [
            "time_zone",
            "weekly",
            "one_off",
            "blackout_dates",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_hours",
            "max_per_day",
            "max_per_week",
            "cutoff_hours",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "buffer_before_minutes": {"max_value": 120},
            "buffer_after_minutes": {"max_value": 120},
            "min_notice_hours": {"max_value": 24 * 14},
            "max_per_day": {"min_value": 1, "max_value": 20},
            "max_per_week": {"min_value": 1, "max_value": 100},
            "cutoff_hours": {"max_value": 24 * 7},
        }


class AvailabilityView(APIView):
    """Your own availability (researchers and ProductOps admins), in your own zone."""

    def _check(self, request):
        if not (request.user.is_researcher or request.user.is_productops_admin):
            raise PermissionDenied("Only researchers and ProductOps admins run sessions.")

    @extend_schema(responses=AvailabilitySerializer)
    def get(self, request):
        self._check(request)
        avail = get_object_or_404(Availability, user=request.user)
        return Response(AvailabilitySerializer(avail).data)

    @extend_schema(request=AvailabilitySerializer, responses=AvailabilitySerializer)
    def put(self, request):
        self._check(request)
        avail = Availability.objects.filter(user=request.user).first() or Availability(
            user=request.user
        )
        data = AvailabilitySerializer(avail, data=request.data)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(avail, field, value)
        avail.clean()  # a bad window, date or zone is a 400 naming the field
        avail.save()
        return Response(AvailabilitySerializer(avail).data)
