"""The API the `productops-events` command line uses: the convention with team words and
exceptions, collisions with other teams, sync of events found in code, typed helpers."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from productops.accounts.models import Team
from telemetry import code_sync, conventions, linting
from telemetry.events_cli import codegen
from telemetry.models import Event, TeamVocabulary

TEAM = OpenApiParameter("team", str, description="Team slug: its words, or only its events")


def _team(request) -> Team | None:
    slug = request.query_params.get("team")
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise serializers.ValidationError(
            {
                "team": [
                    f"No team has the slug “{slug[:100]}”; use the slug shown on the team's page."
                ]
            }
        )
    return team


class CliConventionView(APIView):
    """The current convention as `productops-events --convention` reads it: the rules, the
    team's own words and every registered no_lint exception with its reason."""

    @extend_schema(parameters=[TEAM], responses={200: dict})
    def get(self, request):
        current = conventions.current_convention()
        team = _team(request)
        vocabulary = TeamVocabulary.objects.filter(team=team).first() if team else None
        exceptions = Event.objects.filter(no_lint=True).order_by("name")
        return Response(
            {
                "number": current.version.number if current.version else None,
                "preset": current.preset,
                "rules": current.convention.to_dict(),
                "team": team.slug if team else None,
                "team_words": {
                    "actions": vocabulary.actions if vocabulary else {},
                    "objects": vocabulary.object_words if vocabulary else [],
                },
                "no_lint": [
                    {"name": name, "reason": reason}
                    for name, reason in exceptions.values_list("name", "no_lint_reason")
                ],
            }
        )


class CollisionsRequest(serializers.Serializer):
    names = serializers.ListField(
        child=serializers.CharField(max_length=linting.LINT_NAME_MAX_LENGTH),
        min_length=1,
        max_length=linting.LINT_BATCH_LIMIT,
    )
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )


class CliCollisionsView(APIView):
    """Names a definitions file wants that other teams already have, exactly or nearly."""

    @extend_schema(request=CollisionsRequest, responses={200: dict})
    def post(self, request):
        data = CollisionsRequest(data=request.data)
        data.is_valid(raise_exception=True)
        found = code_sync.collisions_find(
            names=data.validated_data["names"], team=data.validated_data.get("team")
        )
        return Response({"collisions": found})


class SyncProperty(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(
        choices=["string", "number", "integer", "boolean", "array", "object", "datetime"],
        default="string",
    )
    required = serializers.BooleanField(default=False)


class SyncEvent(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    description = serializers.CharField(max_length=5000, allow_blank=True, default="")
    properties = SyncProperty(many=True, default=list, max_length=200)
    locations = serializers.ListField(
        child=serializers.CharField(max_length=600), default=list, max_length=1000
    )
    source = serializers.ChoiceField(choices=["code", "definitions"], default="code")


class SyncRequest(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    dry_run = serializers.BooleanField(default=False)
    events = SyncEvent(
        many=True,
        max_length=code_sync.SYNC_LIMIT,
        error_messages={"max_length": f"Send at most {code_sync.SYNC_LIMIT:,} events per sync."},
    )


class CliSyncView(APIView):
    """Register events found in a team's code or events.yml as planned events, with file:line.
    Never deletes; reports the team's events the repository no longer mentions."""

    @extend_schema(request=SyncRequest, responses={200: dict})
    def post(self, request):
        data = SyncRequest(data=request.data)
        data.is_valid(raise_exception=True)
        entries = code_sync.clean_sync_entries([dict(e) for e in data.validated_data["events"]])
        with transaction.atomic():
            report = code_sync.events_sync(
                team=data.validated_data["team"],
                by=request.user,
                entries=entries,
                dry_run=data.validated_data["dry_run"],
            )
        return Response(report)


class CliCodegenView(APIView):
    """Typed tracking helpers (TypeScript or Python) for a team's events, or all events."""

    @extend_schema(
        parameters=[TEAM, OpenApiParameter("lang", str, enum=["ts", "python"], required=True)],
        responses={200: OpenApiResponse(description="the module's source text")},
    )
    def get(self, request):
        lang = request.query_params.get("lang")
        if lang not in ("ts", "python"):
            return Response({"lang": ["Choose ts or python, e.g. ?lang=ts."]}, status=400)
        team = _team(request)
        source = codegen.generate(code_sync.codegen_events(team=team), lang)
        filename = f"{team.slug if team else 'events'}-events.{'ts' if lang == 'ts' else 'py'}"
        response = HttpResponse(source, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("cli/convention/", CliConventionView.as_view(), name="telemetry-cli-convention"),
    path("cli/collisions/", CliCollisionsView.as_view(), name="telemetry-cli-collisions"),
    path("cli/sync/", CliSyncView.as_view(), name="telemetry-cli-sync"),
    path("cli/codegen/", CliCodegenView.as_view(), name="telemetry-cli-codegen"),
]


class CliLocationsView(APIView):
    """Where an event is defined or sent, as `productops-events sync` recorded it."""

    @extend_schema(
        parameters=[OpenApiParameter("event", str, required=True, description="Event name")],
        responses={200: dict},
    )
    def get(self, request):
        name = request.query_params.get("event", "")
        event = get_object_or_404(Event, name=name)
        locations = event.locations.select_related("team").order_by("team__slug", "path", "line")
        return Response(
            {
                "event": event.name,
                "locations": [
                    {
                        "team": loc.team.slug,
                        "kind": loc.kind,
                        "path": loc.path,
                        "line": loc.line,
                        "synced_at": loc.synced_at,
                    }
                    for loc in locations
                ],
            }
        )


urlpatterns.append(
    path("cli/locations/", CliLocationsView.as_view(), name="telemetry-cli-locations")
)
