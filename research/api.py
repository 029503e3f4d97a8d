"""REST API for the research panel: /api/v1/research/…

Same permissions as the pages: every signed-in employee reads panel attributes; researchers and
ProductOps admins also see e-mail addresses, file requests, draw samples, override and import;
only admins edit the rules.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import fields as drf_fields
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from productops import page_cache
from productops.accounts.permissions import IsProductOpsAdmin
from productops.api_input import FormParser, JSONParser, MultiPartParser, text_problem
from productops.api_limits import Router
from research import (
    attributes,
    holds,
    import_jobs,
    importing,
    scheduling_api,
    services,
    suppression,
    targeting,
)
from research.account_edits import account_update
from research.api_rows import (
    LEDGER_COLUMNS,
    PARTICIPANT_COLUMNS,
    REQUEST_COLUMNS,
    ledger_rows,
    participant_rows,
    request_rows,
    with_latest_sample,
)
from research.eligibility import eligibility_check
from research.forms import PanelFilterForm
from research.models import (
    BUILTIN_ATTRIBUTES,
    Account,
    AttributeDefinition,
    ImportBatch,
    LedgerEntry,
    Participant,
    ResearchRequest,
    Sample,
    SampleMember,
    Suppression,
)
from research.request_edits import request_cancel, request_close, request_update
from research.serializers import (
    AccountSerializer,
    AccountUpdateResultSerializer,
    AccountUpdateSerializer,
    AttributeDefinitionSerializer,
    AttributeInputSerializer,
    DryRunInputSerializer,
    DryRunSerializer,
    EligibilitySerializer,
    HoldReleaseInputSerializer,
    ImportBatchSerializer,
    ImportInputSerializer,
    LedgerEntryCreateSerializer,
    LedgerEntrySerializer,
    OptOutInputSerializer,
    OverrideInputSerializer,
    ParticipantSerializer,
    RequestCancelInputSerializer,
    ResearchRequestSerializer,
    RulesSerializer,
    SampleSerializer,
    SuppressionSerializer,
    can_see_contacts,
)


def _require_recruiter(user):
    if not (user.is_researcher or user.is_productops_admin):
        raise PermissionDenied("Only researchers and ProductOps admins can do this.")


# The profile attributes every participant has (language aside), filterable by exact value.
PARTICIPANT_FILTERS = [name for name in BUILTIN_ATTRIBUTES if name != "language"]


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
        custom = {k: v for k, v in params.items() if k.startswith("attr_")}
        if custom:
            form = PanelFilterForm(custom, definitions=AttributeDefinition.objects.active())
            unknown = sorted(set(custom) - set(form.fields))
            if unknown:
                raise ValidationError(
                    {
                        unknown[
                            0
                        ]: "No declared attribute has this filter; see /research/attributes/."
                    }
                )
            if not form.is_valid():
                raise ValidationError(form.errors)
            qs = form.filter_custom(qs)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "attr_<name>",
                str,
                description="Filter on a declared attribute (yes/no for yes-no ones); "
                "numbers take attr_<name>_min and attr_<name>_max.",
            )
        ]
    )
    @page_cache.api_read
    def list(self, request, *args, **kwargs):
        # Flat rows, not the serializer: see research/api_rows.py.
        qs = self.filter_queryset(self.get_queryset()).values(*PARTICIPANT_COLUMNS)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            participant_rows(page, now=timezone.now(), with_email=can_see_contacts(request.user))
        )

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
        """Override a cooldown for one request, with a written reason (audited); it ends with the
        request. Consent, opt-outs and caps never."""
        _require_recruiter(request.user)
        participant = self.get_object()
        data = OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.override_grant(
            participant=participant, by=request.user, **data.validated_data
        )
        # The answer for the request the override is for: for every other request nothing changed.
        result = eligibility_check(
            participant=participant,
            method=override.request.method,
            tz=request.user.zone,
            request_id=override.request_id,
        )
        return Response(
            EligibilitySerializer(EligibilitySerializer.of(result)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=OptOutInputSerializer, responses={201: SuppressionSerializer})
    @action(detail=True, methods=["post"], url_path="opt-out")
    def opt_out(self, request, pk=None):
        """Record that this person asked not to be contacted (audited). Only they can opt back in."""
        _require_recruiter(request.user)
        participant = self.get_object()
        data = OptOutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = suppression.participant_opt_out(
            participant=participant,
            by=request.user,
            reason=data.validated_data["reason"],
            source=Suppression.Source.API,
        )
        return Response(SuppressionSerializer(entry).data, status=status.HTTP_201_CREATED)


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts. PATCH (researchers, ProductOps admins) edits what the fatigue rules read, audited."""

    serializer_class = AccountSerializer
    queryset = Account.objects.select_related("owner").order_by("id")
    filterset_fields = ["owner_flagged"]

    @extend_schema(request=AccountUpdateSerializer, responses=AccountUpdateResultSerializer)
    def partial_update(self, request, pk=None):
        """Renewal date, owner and the owner's do-not-contact flag; eligibility is re-checked at once."""
        _require_recruiter(request.user)
        account = self.get_object()
        data = AccountUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            field: getattr(account, field)
            for field in ("renewal_date", "owner", "owner_name", "owner_flagged")
        }
        values["owner_flag_reason"] = account.owner_flag_reason
        values.update(data.validated_data)
        _changed, refreshed = account_update(account=account, by=request.user, **values)
        account = self.get_queryset().get(pk=account.pk)
        account.eligibility_changed = refreshed
        return Response(AccountUpdateResultSerializer(account).data)


class AttributeDefinitionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Custom participant attributes. Everyone reads them; ProductOps admins declare, edit and retire."""

    serializer_class = AttributeDefinitionSerializer
    queryset = AttributeDefinition.objects.order_by("name")

    def get_permissions(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return [IsProductOpsAdmin()]
        return super().get_permissions()

    @extend_schema(request=AttributeInputSerializer, responses={201: AttributeDefinitionSerializer})
    def create(self, request):
        """Declare an attribute: it is usable in criteria, dimensions, panel filters and imports at once."""
        data = AttributeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data.get("name"):
            raise ValidationError({"name": "Give the attribute a name, e.g. product_line."})
        definition = attributes.attribute_declare(by=request.user, **data.validated_data)
        return Response(
            AttributeDefinitionSerializer(definition).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AttributeInputSerializer, responses=AttributeDefinitionSerializer)
    def partial_update(self, request, pk=None):
        """Change the label, type or allowed values; stored values are converted or the change refused."""
        definition = self.get_object()
        if definition.retired_at:
            raise ValidationError({"name": "This attribute is retired; reinstate it first."})
        payload = {
            "label": definition.label,
            "type": definition.type,
            "allowed_values": definition.allowed_values,
            **request.data,
        }
        data = AttributeInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("name", definition.name) != definition.name:
            raise ValidationError({"name": "Names never change; declare a new attribute."})
        attributes.attribute_update(
            definition=definition,
            label=data.validated_data["label"],
            type=data.validated_data["type"],
            allowed_values=data.validated_data["allowed_values"],
            by=request.user,
        )
        definition.refresh_from_db()
        return Response(AttributeDefinitionSerializer(definition).data)

    @extend_schema(request=None, responses=AttributeDefinitionSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Take it out of forms, filters and imports (refused while open requests use it)."""
        definition = self.get_object()
        attributes.attribute_retire(definition=definition, by=request.user)
        definition.refresh_from_db()
        return Response(AttributeDefinitionSerializer(definition).data)

    @extend_schema(request=None, responses=AttributeDefinitionSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        definition = self.get_object()
        attributes.attribute_reinstate(definition=definition, by=request.user)
        definition.refresh_from_db()
        return Response(AttributeDefinitionSerializer(definition).data)


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

    @page_cache.api_read
    def list(self, request, *args, **kwargs):
        # Flat rows, not the serializer: see research/api_rows.py.
        page = self.paginate_queryset(
            self.filter_queryset(self.get_queryset()).values(*LEDGER_COLUMNS)
        )
        return self.get_paginated_response(ledger_rows(page))

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

    @page_cache.api_read
    def list(self, request, *args, **kwargs):
        # Flat rows, not the serializer: see research/api_rows.py.
        requests = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(with_latest_sample(requests).values(*REQUEST_COLUMNS))
        return self.get_paginated_response(request_rows(page))

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

    @extend_schema(request=ResearchRequestSerializer, responses=ResearchRequestSerializer)
    def partial_update(self, request, pk=None):
        """Edit an open request (its researcher or an admin). A sample drawn before is kept, marked stale."""
        research_request = self.get_object()
        data = ResearchRequestSerializer(research_request, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        request_update(request=research_request, by=request.user, **data.validated_data)
        return Response(self._fresh(research_request))

    @extend_schema(
        request=HoldReleaseInputSerializer,
        responses={
            200: inline_serializer("HoldsReleased", {"released": drf_fields.IntegerField()})
        },
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Let people this request holds go (they declined, or are not needed): other requests
        may draw them again at once."""
        research_request = self.get_object()
        if not research_request.can_be_edited_by(request.user):
            raise PermissionDenied("Only the request's researcher or a ProductOps admin can.")
        data = HoldReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        released = holds.holds_release(
            request=research_request,
            reason=data.validated_data["reason"],
            now=timezone.now(),
            participant_ids=data.validated_data["participants"],
        )
        return Response({"released": released})

    @extend_schema(request=RequestCancelInputSerializer, responses=ResearchRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open request with a reason: no more overlaps, risk warnings or samples."""
        research_request = self.get_object()
        data = RequestCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_cancel(
            request=research_request, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(self._fresh(research_request))

    @extend_schema(request=None, responses=ResearchRequestSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an open request once it has its participants: no more overlaps or risk warnings."""
        research_request = self.get_object()
        request_close(request=research_request, by=request.user)
        return Response(self._fresh(research_request))

    def _fresh(self, research_request) -> dict:
        return ResearchRequestSerializer(
            self.get_queryset().get(pk=research_request.pk), context={"request": self.request}
        ).data

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
            session_minutes=data.validated_data["session_minutes"],
            dimensions=targeting.dimensions_clean(data.validated_data["dimensions"]),
            deadline=data.validated_data["deadline"],
        )
        return Response(DryRunSerializer(result).data)

    @extend_schema(request=None, responses={201: SampleSerializer})
    @action(detail=True, methods=["post"])
    def sample(self, request, pk=None):
        """Draw a representative sample of eligible participants (seed optional for a reproducible draw)."""
        _require_recruiter(request.user)
        research_request = self.get_object()
        if research_request.status == ResearchRequest.Status.CANCELLED:
            raise ValidationError(
                {"status": "This request was cancelled; file a new one to sample."}
            )
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


def _refuse_unstorable_cells(headers, rows):
    """A NUL or a lone surrogate in a cell cannot be stored: name the cell instead of a 500."""
    for number, row in enumerate([headers, *rows], start=1):
        for column, cell in enumerate(row):
            problem = isinstance(cell, str) and text_problem(cell)
            if problem:
                name = headers[column] if column < len(headers) else f"column {column + 1}"
                raise ValidationError({"file": f"Row {number}, column '{name}': {problem}"})


class ImportView(APIView):
    """Upsert participants from a CSV/XLSX file by external id, all rows or none (for the CRM's nightly push).

    With `dry_run` a file up to 2 MB is checked at once (200, or 400 with the rows to fix).
    Otherwise the file is stored and checked or imported by a background job: the answer is
    202 with the job, whose progress and report `GET /api/v1/research/imports/<id>/` gives.
    """

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: dict, 202: ImportBatchSerializer, 400: dict},
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
        mapping = data.validated_data["mapping"]
        if mapping is not None and not isinstance(mapping, dict):
            raise ValidationError(
                {"mapping": "Give the mapping as an object: panel field -> column name."}
            )
        content = upload.read()
        sheet = data.validated_data["sheet"]
        # A NUL byte is found in C at no cost; naming its cell now beats a job that fails later.
        # (XLSX is XML inside a zip: its cells cannot hold one.)
        if b"\x00" in content and not upload.name.lower().endswith(".xlsx"):
            _refuse_unstorable_cells(*importing.read_table(content, upload.name, sheet))
        if data.validated_data["dry_run"] and len(content) <= import_jobs.INLINE_CHECK_BYTES:
            headers, rows = importing.read_table(content, upload.name, sheet)
            mapping = mapping or importing.guess_mapping(headers, importing.targets())
            report = importing.public(
                importing.import_check(headers=headers, rows=rows, mapping=mapping)
            )
            ok = not (report["error_count"] or report["file_errors"])
            return Response(
                report, status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST
            )
        batch = import_jobs.batch_create(
            data=content, file_name=upload.name, by=request.user, sheet=sheet
        )
        mapping = mapping or importing.guess_mapping(batch.headers, importing.targets())
        import_jobs.import_queue(
            batch=batch,
            mapping=mapping,
            by=request.user,
            check_only=data.validated_data["dry_run"],
        )
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class ImportBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Panel imports: status, progress and report of each (your own; ProductOps admins see all)."""

    serializer_class = ImportBatchSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        _require_recruiter(self.request.user)
        qs = ImportBatch.objects.order_by("-created_at", "-id")
        if not self.request.user.is_productops_admin:
            qs = qs.filter(uploaded_by=self.request.user)
        return qs


router = Router()
router.register("participants", ParticipantViewSet, basename="research-participant")
router.register("accounts", AccountViewSet, basename="research-account")
router.register("attributes", AttributeDefinitionViewSet, basename="research-attribute")
router.register("ledger", LedgerEntryViewSet, basename="research-ledger")
router.register("requests", ResearchRequestViewSet, basename="research-request")
router.register("samples", SampleViewSet, basename="research-sample")
router.register("imports", ImportBatchViewSet, basename="research-import-batch")
router.register("bookings", scheduling_api.BookingViewSet, basename="research-booking")
router.register("invitations", scheduling_api.InvitationViewSet, basename="research-invitation")

urlpatterns = [
    path("rules/", RulesView.as_view(), name="research-rules"),
    path("import/", ImportView.as_view(), name="research-import"),
    path(
        "availability/",
        scheduling_api.AvailabilityView.as_view(),
        name="research-availability",
    ),
    path(
        "scheduling/metrics/",
        scheduling_api.SchedulingMetricsView.as_view(),
        name="research-scheduling-metrics",
    ),
    path("", include(router.urls)),
]
