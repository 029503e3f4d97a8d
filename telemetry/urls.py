from django.urls import path

from telemetry import (
    convention_views,
    drift_views,
    duplicate_views,
    health_views,
    plan_views,
    views,
)

app_name = "telemetry"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/exception/", views.event_exception, name="event_exception"),
    path("events/<int:pk>/usage/", views.event_usage, name="event_usage"),
    path("events/<int:pk>/reuse/", duplicate_views.event_reuse, name="event_reuse"),
    path("events/<int:pk>/merge/", duplicate_views.event_merge, name="event_merge"),
    path("duplicates/", duplicate_views.duplicates, name="duplicates"),
    path(
        "teams/<slug:slug>/apply-suggestions/",
        duplicate_views.apply_suggestions,
        name="apply_suggestions",
    ),
    path("teams/<slug:slug>/duplicates/", duplicate_views.duplicates, name="team_duplicates"),
    path("properties/", views.property_list, name="property_list"),
    path("properties/<int:pk>/", views.property_detail, name="property_detail"),
    path("health/", health_views.health, name="health"),
    path("teams/<slug:slug>/", health_views.team_health, name="team_health"),
    path("drift/", drift_views.drift, name="drift"),
    path("drift/<int:pk>/register/", drift_views.drift_register, name="drift_register"),
    path("drift/<int:pk>/alias/", drift_views.drift_alias, name="drift_alias"),
    path("drift/<int:pk>/deprecate/", drift_views.drift_deprecate, name="drift_deprecate"),
    path("drift/<int:pk>/fix-type/", drift_views.drift_fix_type, name="drift_fix_type"),
    path("sources/<int:pk>/assign/", drift_views.source_assign, name="source_assign"),
    path("teams/<slug:slug>/drift/", drift_views.team_drift, name="team_drift"),
    path("teams/<slug:slug>/sources/", drift_views.source_claim, name="source_claim"),
    path("teams/<slug:slug>/vocabulary/", convention_views.vocabulary, name="vocabulary"),
    path("convention/", convention_views.convention, name="convention"),
    path("import/", plan_views.import_upload, name="import_upload"),
    path("import/<str:token>/columns/", plan_views.import_mapping, name="import_mapping"),
    path("import/<str:token>/preview/", plan_views.import_preview, name="import_preview"),
    path("export.<slug:fmt>", plan_views.export, name="export"),
    path("helpers.<slug:lang>", plan_views.helpers, name="helpers"),
]
