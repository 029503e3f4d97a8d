"""REST API for the research panel: /api/v1/research/…

Same permissions as the pages: every signed-in employee reads panel attributes; researchers and
ProductOps admins also see e-mail addresses, file requests, draw samples, override and import;
only admins edit the rules.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from research import importing, services, targeting
from research.eligibility import eligibility_check
from research.models import (
    Account,
    LedgerEntry,
    Participant,
    ResearchRequest,
    Sample,
    SampleMember,
)
from research.serializers import (
    AccountSerializer,
    DryRunInputSerializer,
    DryRunSerializer,
    EligibilitySerializer,
    ImportInputSerializer,
    LedgerEntryCreateSerializer,
    LedgerEntrySerializer,
    OverrideInputSerializer,
    ParticipantSerializer,
    ResearchRequestSerializer,
    RulesSerializer,
    SampleSerializer,
    can_see_contacts,
)


def _require_recruiter(user):
    if not (user.is_researcher or user.is_productops_admin):
        raise PermissionDenied("Only researchers and ProductOps admins can do this.")


PARTICIPANT_FILTERS = [
    "plan",
    "region",
    "country",
    "industry",
    "company_size",
    "tenure",
    "usage_level",
]


class ParticipantViewSet(viewsets.ReadOnlyModelViewSet):
    """The panel. Filter by any segment attribute, `account` (external id), `eligible=true|false` and `q`."""

    serializer_class = ParticipantSerializer
    filterset_fields = PARTICIPANT_FILTERS

    def get_queryset(self):
        qs = Participant.objects.select_related("account").order_by("id")
        params = self.request.query_params
        if params.get("account"):
            qs = qs.filter(account__external_id=params["account"])
        if params.get("eligible") in ("true", "false"):
            eligible = Participant.objects.eligible().values("pk")
            qs = (
                qs.filter(pk__in=eligible)
                if params["eligible"] == "true"
                else qs.exclude(pk__in=eligible)
            )
        if params.get("q"):
            qs = qs.search(params["q"], with_email=can_see_contacts(self.request.user))
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        responses=EligibilitySerializer,
        parameters=[
            OpenApiParameter(
                "method", str, description="Check for a study of this method (per-method limits)."
            ),
        ],
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """The full fatigue check from the ledger, with every refusal and when it lapses."""
        participant = self.get_object()
        result = eligibility_check(
            participant=participant,
            method=request.query_params.get("method") or None,
            tz=request.user.zone,
        )
        return Response(EligibilitySerializer(EligibilitySerializer.of(result)).data)

    @extend_schema(request=OverrideInputSerializer, responses={201: EligibilitySerializer})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Override a cooldown with a written reason (audited). Consent and opt-outs never."""
        _require_recruiter(request.user)
        participant = self.get_object()
        data = OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.override_grant(participant=participant, by=request.user, **data.validated_data)
        result = eligibility_check(participant=participant, tz=request.user.zone)
        return Response(
            EligibilitySerializer(EligibilitySerializer.of(result)).data,
            status=status.HTTP_201_CREATED,
        )


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AccountSerializer
    queryset = Account.objects.order_by("id")
    filterset_fields = ["owner_flagged"]


class LedgerEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Every touch of a customer. POST records research and non-research touches (an NPS survey, a CS call)."""

    serializer_class = LedgerEntrySerializer
    filterset_fields = ["kind", "method", "source"]

    def get_queryset(self):
        qs = LedgerEntry.objects.select_related("participant", "team").order_by("-at", "-id")
        params = self.request.query_params
        if params.get("participant"):
            qs = qs.filter(participant__external_id=params["participant"])
        if params.get("account"):
            qs = qs.filter(account__external_id=params["account"])
        return qs

    @extend_schema(request=LedgerEntryCreateSerializer, responses={201: LedgerEntrySerializer})
    def create(self, request, *args, **kwargs):
        _require_recruiter(request.user)
        data = LedgerEntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        entry = services.ledger_record(
            participant=d["participant"],
            kind=d["kind"],
            at=d.get("at"),
            method=d["method"],
            minutes=d["minutes"],
            incentive_cents=d["incentive_cents"],
            team=d.get("team"),
            request=d.get("request"),
            source=LedgerEntry.Source.API,
            note=d["note"],
            by=request.user,
        )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RulesView(APIView):
    """The fatigue rules in force. PUT (ProductOps admins) stores a new audited version."""

    @extend_schema(responses=RulesSerializer)
    def get(self, request):
        return Response({"rules": services.rules_current().to_dict(), "note": ""})

    @extend_schema(request=RulesSerializer, responses=RulesSerializer)
    def put(self, request):
        if not request.user.is_productops_admin:
            raise PermissionDenied("Only ProductOps admins can change the fatigue rules.")
        data = RulesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ruleset = services.rules_update(
            rules=data.validated_data["rules"], by=request.user, note=data.validated_data["note"]
        )
        return Response({"rules": ruleset.rules, "note": ruleset.note})


class ResearchRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Research requests: admins see all teams', others their teams' and their own."""

    serializer_class = ResearchRequestSerializer
    filterset_fields = ["status", "method"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResearchRequest.objects.none()
        return (
            ResearchRequest.objects.visible_to(self.request.user)
            .select_related("team", "researcher")
            .prefetch_related(
                Prefetch(
                    "samples",
                    queryset=Sample.objects.order_by("-created_at", "-id"),
                    to_attr="prefetched_samples",
                )
            )
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer):
        user = self.request.user
        _require_recruiter(user)
        team = serializer.validated_data["team"]
        if not (user.is_productops_admin or user.is_member_of(team)):
            raise PermissionDenied("File requests for a team you belong to.")
        catalogue = targeting.attribute_catalogue()
        criteria = targeting.criteria_clean(
            serializer.validated_data.get("criteria"), catalogue=catalogue
        )
        dimensions = targeting.dimensions_clean(
            serializer.validated_data.get("dimensions"), catalogue=catalogue
        )
        serializer.save(researcher=user, criteria=criteria, dimensions=dimensions)

    @extend_schema(request=DryRunInputSerializer, responses=DryRunSerializer)
    @action(detail=False, methods=["post"], url_path="dry-run")
    def dry_run(self, request):
        """Before filing: how many match, how many each rule holds back, expected time to fill."""
        data = DryRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criteria = targeting.criteria_clean(data.validated_data["criteria"])
        result = targeting.dry_run(
            criteria=criteria,
            needed=data.validated_data["participants_needed"],
            method=data.validated_data.get("method", ""),
        )
        return Response(DryRunSerializer(result).data)

    @extend_schema(request=None, responses={201: SampleSerializer})
    @action(detail=True, methods=["post"])
    def sample(self, request, pk=None):
        """Draw a representative sample of eligible participants (seed optional for a reproducible draw)."""
        _require_recruiter(request.user)
        research_request = self.get_object()
        seed = request.data.get("seed") if hasattr(request.data, "get") else None
        if seed is not None:
            try:
                seed = int(seed)
            except (TypeError, ValueError):
                raise ValidationError({"seed": "The seed must be a whole number."}) from None
        drawn = targeting.sample_draw(request=research_request, by=request.user, seed=seed)
        drawn = _samples().get(pk=drawn.pk)
        return Response(
            SampleSerializer(drawn, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _samples():
    return Sample.objects.select_related("request").prefetch_related(
        Prefetch(
            "members",
            queryset=SampleMember.objects.select_related("participant__account").order_by(
                "standby", "rank"
            ),
        )
    )


class SampleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SampleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return _samples().none()
        visible = ResearchRequest.objects.visible_to(self.request.user).values("pk")
        return _samples().filter(request__in=visible).order_by("-created_at", "-id")


class ImportView(APIView):
    """Upsert participants from a CSV/XLSX file by external id, all rows or none (for the CRM's nightly push)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer}, responses={200: dict, 400: dict}
    )
    def post(self, request):
        _require_recruiter(request.user)
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise ValidationError(
                {"file": f"The file is larger than {importing.limit_text()}; split it."}
            )
        headers, rows = importing.read_table(upload.read(), upload.name)
        mapping = data.validated_data["mapping"] or importing.guess_mapping(
            headers, importing.targets()
        )
        if not isinstance(mapping, dict):
            raise ValidationError(
                {"mapping": "Give the mapping as an object: panel field -> column name."}
            )
        if data.validated_data["dry_run"]:
            report = importing.public(
                importing.import_check(headers=headers, rows=rows, mapping=mapping)
            )
            ok = not (report["error_count"] or report["file_errors"])
            return Response(
                report, status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST
            )
        try:
            report = importing.import_commit(
                headers=headers, rows=rows, mapping=mapping, by=request.user
            )
        except ValidationError:
            report = importing.public(
                importing.import_check(headers=headers, rows=rows, mapping=mapping)
            )
            return Response(
                {"detail": "Nothing was imported: fix the listed rows.", **report},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(report)


router = SimpleRouter()
router.register("participants", ParticipantViewSet, basename="research-participant")
router.register("accounts", AccountViewSet, basename="research-account")
router.register("ledger", LedgerEntryViewSet, basename="research-ledger")
router.register("requests", ResearchRequestViewSet, basename="research-request")
router.register("samples", SampleViewSet, basename="research-sample")

urlpatterns = [
    path("rules/", RulesView.as_view(), name="research-rules"),
    path("import/", ImportView.as_view(), name="research-import"),
    path("", include(router.urls)),
]
