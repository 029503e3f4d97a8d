from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from productops import page_cache
from productops.accounts import services
from productops.accounts.email_change import email_change_request
from productops.accounts.models import ApiToken, Membership, Notification, Team
from productops.accounts.permissions import can_manage_team
from productops.accounts.serializers import (
    MembershipCreateSerializer,
    MembershipSerializer,
    MeSerializer,
    NotificationSerializer,
    TeamSerializer,
    TokenCreatedSerializer,
    TokenSerializer,
)
from productops.api import Conflict


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]
    get = page_cache.api_read(generics.RetrieveUpdateAPIView.get)

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        # The same rule as the profile page: a new address waits for its confirmation link.
        new_email = serializer.validated_data.pop("email", None)
        with transaction.atomic():
            user = serializer.save()
            if new_email is not None:
                email_change_request(user=user, new_email=new_email)


class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The team directory: every signed-in colleague can read it; leads and admins edit their team."""

    serializer_class = TeamSerializer
    lookup_field = "slug"
    queryset = Team.objects.with_member_count().order_by("name")
    filterset_fields = ["product_area"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        if not can_manage_team(self.request.user, serializer.instance):
            raise PermissionDenied(
                "Only this team's leads and ProductOps admins can change the team."
            )
        with transaction.atomic():
            team = serializer.save()
            services.audit_record(actor=self.request.user, action="team.edited", target=team)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of one team. Adding and removing is for the team's leads and ProductOps admins."""

    serializer_class = MembershipSerializer

    def get_team(self) -> Team:
        if not hasattr(self, "_team"):
            self._team = get_object_or_404(Team, slug=self.kwargs["team_slug"])
        return self._team

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return Membership.objects.filter(team=self.get_team()).select_related("user", "team")

    def _require_manager(self):
        if not can_manage_team(self.request.user, self.get_team()):
            raise PermissionDenied(
                "Only this team's leads and ProductOps admins can change its members."
            )

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        self._require_manager()
        team = self.get_team()
        data = MembershipCreateSerializer(data=request.data, context={"team": team})
        data.is_valid(raise_exception=True)
        user = data.validated_data["username"]
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    team=team, user=user, role=data.validated_data["role"]
                )
                services.audit_record(
                    actor=request.user, action="membership.added", target=membership
                )
        except IntegrityError:
            # Added by a second request at the same moment (one_membership_per_team).
            raise Conflict({"username": [f"{user.name} is already in this team."]}) from None
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        self._require_manager()
        with transaction.atomic():
            services.audit_record(
                actor=self.request.user, action="membership.removed", target=instance
            )
            instance.delete()


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own personal API tokens. DELETE revokes; the token value is shown only on creation."""

    serializer_class = TokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return self.request.user.api_tokens.all()

    @extend_schema(request=TokenSerializer, responses={201: TokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = TokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, raw = services.token_create(
            user=request.user, name=serializer.validated_data["name"]
        )
        token.token = raw
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken):
        services.token_revoke(token=instance, by=self.request.user)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your inbox."""

    serializer_class = NotificationSerializer
    list = page_cache.api_read(mixins.ListModelMixin.list)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = self.request.user.notifications.all()
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.unread()
        return queryset

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.request.user.notifications, pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)
