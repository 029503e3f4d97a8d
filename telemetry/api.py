"""The registry's REST API: what the pages do, for scripts and CI (token or session)."""

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from productops import page_cache
from productops.accounts.permissions import IsProductOpsAdmin
from productops.api import Conflict
from productops.api_limits import Pagination, Router
from telemetry import cli_api, conventions, linting, merging, naming, services
from telemetry.api_rows import event_rows
from telemetry.catalogue import catalogue_filter
from telemetry.convention_changes import convention_check, convention_impact, rules_summary
from telemetry.drift_api import DriftViewSet, SourceViewSet
from telemetry.models import Alias, ConventionVersion, Event, EventProperty, PlanImport, Property
from telemetry.observed_api import ObservedView
from telemetry.properties import event_set_properties
from telemetry.serializers import (
    AliasSerializer,
    ConventionImpactSerializer,
    ConventionPublishSerializer,
    ConventionVersionSerializer,
    CurrentConventionSerializer,
    EventCreatedSerializer,
    EventSerializer,
    EventWriteSerializer,
    ExceptionSerializer,
    LintRequestSerializer,
    LintResponseSerializer,
    MergeSerializer,
    PlanImportSerializer,
    PropertySerializer,
    ReuseSerializer,
)

EVENT_FILTERS = [
    OpenApiParameter("q", str, description="Full-text search in names and descriptions"),
    OpenApiParameter("team", str, description="Owning team's slug"),
    OpenApiParameter("status", str, enum=[s for s, _ in Event.Status.choices]),
    OpenApiParameter("platform", str),
    OpenApiParameter("lint", str, enum=[s for s, _ in Event.LintState.choices]),
    OpenApiParameter("tag", str),
]


class CataloguePagination(Pagination):
    """Counts with the catalogue's cheaper exact count when the view filtered the catalogue."""

    def paginate_queryset(self, queryset, request, view=None):
        self.catalogue = getattr(view, "catalogue", None)
        return super().paginate_queryset(queryset, request, view)

    def get_count(self, queryset):
        return self.catalogue.count() if self.catalogue is not None else super().get_count(queryset)


def _event_queryset(queryset):
    return (
        queryset.select_related("team")
        .defer("search_vector")
        .prefetch_related(
            "platforms",
            "tags",
            "used_by",
            "aliases",
            Prefetch("event_properties", queryset=EventProperty.objects.select_related("property")),
        )
    )


@extend_schema(parameters=EVENT_FILTERS)
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The catalogue. Everyone signed in reads every team's events; a team's members register and edit theirs.

    A name that breaks the convention is accepted and comes back with `lint_state: warnings`.
    Changing `name` renames the event and keeps the old name as an alias.
    """

    serializer_class = EventSerializer
    pagination_class = CataloguePagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    catalogue = None

    def get_queryset(self):
        if self.action == "list":
            self.catalogue = catalogue_filter(self.request.query_params)
            return self.catalogue.events.select_related("team").defer("search_vector")
        return _event_queryset(Event.objects.all()).order_by("name")

    @page_cache.api_read
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset().order_by("name"))
        return self.get_paginated_response(event_rows(page))

    def _reload(self, event):
        return _event_queryset(Event.objects.filter(pk=event.pk)).get()

    @extend_schema(request=EventWriteSerializer, responses={201: EventCreatedSerializer})
    def create(self, request, *args, **kwargs):
        """Register an event. The answer lists near-duplicates already in the catalogue under
        `duplicates`: reuse one of them (POST /events/{id}/reuse/) rather than keep a copy."""
        data = EventWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "team" not in values or "name" not in values:
            missing = "team" if "team" not in values else "name"
            return Response(
                {missing: ["This field is required."]}, status=status.HTTP_400_BAD_REQUEST
            )
        event = services.event_register(
            team=values["team"],
            name=values["name"],
            by=request.user,
            description=values.get("description", ""),
            status=values.get("status", Event.Status.ACTIVE),
            platforms=values.get("platforms", []),
            tags=values.get("tags", []),
            example_payload=values.get("example_payload"),
            no_lint_reason=values.get("no_lint_reason", ""),
        )
        if values.get("properties"):
            event_set_properties(event=event, by=request.user, rows=values["properties"])
        duplicates = linting.lint_names([event.name], team=event.team, exclude_event=event.pk)[0][
            "duplicates"
        ]
        return Response(
            {
                **EventSerializer(self._reload(event)).data,
                "duplicates": [
                    {k: d[k] for k in ("id", "name", "team", "reason", "score")} for d in duplicates
                ],
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReuseSerializer, responses={200: EventSerializer})
    @action(detail=True, methods=["post"])
    def reuse(self, request, pk=None):
        """Put this event in your team's plan (your team sends it) instead of registering a copy."""
        event = self.get_object()
        data = ReuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merging.event_reuse(event=event, team=data.validated_data["team"], by=request.user)
        return Response(EventSerializer(self._reload(event)).data)

    @extend_schema(request=MergeSerializer, responses={200: EventSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Fold this event into `into`: its name becomes an alias there, keeping its properties,
        users and history. Its owning team's members (or ProductOps admins) may do it."""
        event = self.get_object()
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into = merging.event_merge(
            source=event,
            into=data.validated_data["into"],
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(EventSerializer(self._reload(into)).data)

    @extend_schema(request=EventWriteSerializer, responses={200: EventSerializer})
    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        services.require_team_member(request.user, event.team)
        data = EventWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "team" in values and values["team"] != event.team:
            return Response(
                {
                    "team": [
                        "An event's owning team cannot be changed here; register it in the new team."
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        values.pop("team", None)
        properties = values.pop("properties", None)
        values.pop("no_lint_reason", None)
        event = services.event_update(event=event, by=request.user, **values)
        if properties is not None:
            event_set_properties(event=event, by=request.user, rows=properties)
        return Response(EventSerializer(self._reload(event)).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=ExceptionSerializer, responses={200: EventSerializer})
    @action(detail=True, methods=["post", "delete"])
    def exception(self, request, pk=None):
        """Keep a non-conforming name with a written reason (POST), or drop the exception (DELETE)."""
        event = self.get_object()
        if request.method == "DELETE":
            event = services.event_clear_exception(event=event, by=request.user)
        else:
            data = ExceptionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            event = services.event_set_exception(
                event=event, by=request.user, reason=data.validated_data["reason"]
            )
        return Response(EventSerializer(self._reload(event)).data)


class PropertyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The shared property catalogue. Any team member may add a property; its team's members edit it."""

    serializer_class = PropertySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    list = page_cache.api_read(mixins.ListModelMixin.list)

    def get_queryset(self):
        properties = Property.objects.select_related("team").order_by("name")
        q = self.request.query_params.get("q", "").strip()[:200]
        if q:
            properties = properties.filter(name__icontains=q)
        return properties

    def perform_create(self, serializer):
        team = serializer.validated_data.get("team")
        if team is not None:
            services.require_team_member(self.request.user, team)
        elif (
            not self.request.user.memberships.exists() and not self.request.user.is_productops_admin
        ):
            raise PermissionDenied("Join a team to add properties to the catalogue.")
        result = naming.lint_property(
            serializer.validated_data["name"],
            conventions.current_convention().convention,
            type=serializer.validated_data.get("type"),
        )
        try:
            with transaction.atomic():
                serializer.save(lint_ok=result.ok, lint_suggestion=(result.suggestion or "")[:400])
        except IntegrityError:
            # Added by a second request at the same moment (the name is unique).
            name = serializer.validated_data["name"]
            raise Conflict(
                {"name": [f"The property '{name}' was just added; use it instead."]}
            ) from None

    def perform_update(self, serializer):
        prop = serializer.instance
        if not prop.can_be_edited_by(self.request.user):
            raise PermissionDenied(
                "Only the defining team's members and ProductOps admins can change this property."
            )
        if "name" in serializer.validated_data and serializer.validated_data["name"] != prop.name:
            raise PermissionDenied("A shared property keeps its name; add a new one instead.")
        serializer.save()


class AliasViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Old event names and the event each now points at."""

    serializer_class = AliasSerializer

    def get_queryset(self):
        aliases = Alias.objects.select_related("event").order_by("old_name")
        name = self.request.query_params.get("name")
        if name:
            aliases = aliases.filter(old_name=name)
        return aliases


class ConventionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published versions of the naming convention, newest first. ProductOps admins publish new ones."""

    serializer_class = ConventionVersionSerializer
    lookup_field = "number"
    queryset = ConventionVersion.objects.select_related("author").order_by("-number")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            context["rules_by_number"] = dict(
                ConventionVersion.objects.values_list("number", "rules")
            )
        return context

    @extend_schema(responses={200: CurrentConventionSerializer})
    @action(detail=False, methods=["get"])
    def current(self, request):
        current = conventions.current_convention()
        if current.version is None:
            return Response(
                {
                    "number": None,
                    "preset": current.preset,
                    "rules": current.convention.to_dict(),
                    "note": "",
                    "author": None,
                    "created_at": None,
                    "summary": rules_summary(current.convention.to_dict()),
                    "changes": [],
                }
            )
        return Response(ConventionVersionSerializer(current.version).data)

    def _rules(self, request):
        data = ConventionPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preset = data.validated_data["preset"]
        rules = data.validated_data.get("rules")
        if rules is None:
            if preset not in naming.PRESETS:
                raise DRFValidationError(
                    {"preset": [f"Choose one of {', '.join(naming.PRESETS)}."]}
                )
            rules = naming.PRESETS[preset].to_dict()
        return data.validated_data, rules

    @extend_schema(request=ConventionPublishSerializer, responses={200: ConventionImpactSerializer})
    @action(
        detail=False, methods=["post"], permission_classes=[IsProductOpsAdmin], url_path="preview"
    )
    def preview(self, request):
        """What publishing these rules would do to each team (events going from passing to
        failing, with examples), without publishing anything. Contradictory rules get a 400."""
        _, rules = self._rules(request)
        try:
            convention = naming.Convention.from_dict(rules)
        except (ValueError, TypeError) as exc:
            raise DRFValidationError({"rules": [str(exc)]}) from exc
        convention_check(convention)
        impact = convention_impact(convention)
        return Response(
            {
                "before_percent": impact.before_percent,
                "after_percent": impact.after_percent,
                "newly_failing": impact.newly_failing,
                "teams": [
                    {
                        "team": t.team.slug,
                        "total": t.total,
                        "before_percent": t.before_percent,
                        "after_percent": t.after_percent,
                        "newly_failing": t.newly_failing,
                        "newly_passing": t.newly_passing,
                        "examples": [
                            {"name": n, "message": m, "suggestion": sug or None}
                            for n, m, sug in t.examples
                        ],
                    }
                    for t in impact.teams
                    if t.total
                ],
            }
        )

    @extend_schema(
        request=ConventionPublishSerializer, responses={201: ConventionVersionSerializer}
    )
    @action(
        detail=False, methods=["post"], permission_classes=[IsProductOpsAdmin], url_path="publish"
    )
    def publish(self, request):
        """Publish a new version. Each team is notified of its own impact; see preview/ first."""
        values, rules = self._rules(request)
        version = conventions.convention_publish(
            by=request.user, rules=rules, preset=values["preset"], note=values["note"]
        )
        return Response(ConventionVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PlanImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The status of a tracking-plan import you uploaded (a big file is read by a worker): poll it
    until `status` is `ready` (preview it on its page) or `done`."""

    serializer_class = PlanImportSerializer
    lookup_field = "token"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return PlanImport.objects.none()
        # Someone else's import is not found rather than forbidden: tokens are not listed anywhere.
        return PlanImport.objects.filter(created_by=self.request.user).select_related("team")


class SearchView(APIView):
    """One search box for events (by name, old name or description) and properties."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                    "properties": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Property"},
                    },
                    "aliases": {"type": "array", "items": {"$ref": "#/components/schemas/Alias"}},
                },
            }
        },
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        if not q:
            return Response({"q": ["Give something to search for, e.g. ?q=checkout."]}, status=400)
        if len(q) > 200:
            return Response({"q": ["Keep the search under 200 characters."]}, status=400)
        events = _event_queryset(Event.objects.search(q)).order_by("name")[:25]
        properties = (
            Property.objects.select_related("team").filter(name__icontains=q).order_by("name")[:25]
        )
        aliases = (
            Alias.objects.select_related("event")
            .filter(old_name__icontains=q)
            .order_by("old_name")[:25]
        )
        return Response(
            {
                "events": EventSerializer(events, many=True).data,
                "properties": PropertySerializer(properties, many=True).data,
                "aliases": AliasSerializer(aliases, many=True).data,
            }
        )


class LintView(APIView):
    """Check up to 10,000 names against the convention and the registry, for scripts and CI.

    Results come back in input order with each name's violations, one suggested name
    (or null when there is no confident one) and near-duplicates already registered:
    up to three per name, or the single closest one when a request has more than 1,000
    names (a CI run wants to know whether a duplicate exists, and this keeps 10,000 names fast).
    """

    BULK = 1000
    # About 3,000 names: below this the collector's pauses cost next to nothing.
    BIG_BODY = 100_000

    def dispatch(self, request, *args, **kwargs):
        # A big batch builds a few hundred thousand objects while its JSON is parsed, checked,
        # linted and written back, and no reference cycles; the collector waits until the
        # response is rendered (see naming.collector_paused: 0.1-0.15 s of 10,000 names).
        big = int(request.META.get("CONTENT_LENGTH") or 0) > self.BIG_BODY
        with naming.collector_paused(big):
            response = super().dispatch(request, *args, **kwargs)
            if big:
                response.render()
        return response

    @extend_schema(request=LintRequestSerializer, responses={200: LintResponseSerializer})
    def post(self, request):
        data = LintRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = linting.lint_names(
            data.validated_data["names"],
            team=data.validated_data.get("team"),
            kind=data.validated_data["kind"],
            duplicate_limit=3 if len(data.validated_data["names"]) <= self.BULK else 1,
        )
        return Response(
            {
                "results": [
                    {
                        "name": r["name"],
                        "ok": r["ok"],
                        "violations": r["violations"],
                        "suggestion": r["suggestion"],
                        "note": r["note"],
                        "duplicates": [
                            {
                                "name": d["name"],
                                "team": d["team"],
                                "reason": d["reason"],
                                "score": d["score"],
                            }
                            for d in r["duplicates"]
                        ],
                    }
                    for r in results
                ]
            }
        )


router = Router()
router.register("events", EventViewSet, basename="telemetry-event")
router.register("properties", PropertyViewSet, basename="telemetry-property")
router.register("aliases", AliasViewSet, basename="telemetry-alias")
router.register("conventions", ConventionViewSet, basename="telemetry-convention")
router.register("imports", PlanImportViewSet, basename="telemetry-import")
router.register("drift", DriftViewSet, basename="telemetry-drift")
router.register("sources", SourceViewSet, basename="telemetry-source")

urlpatterns = [
    *cli_api.urlpatterns,
    path("lint/", LintView.as_view(), name="telemetry-lint"),
    path("search/", SearchView.as_view(), name="telemetry-search"),
    path("observed/", ObservedView.as_view(), name="telemetry-observed"),
    *router.urls,
]
