from django.urls import path

from research import (
    account_views,
    attribute_views,
    availability_views,
    booking_views,
    participant_views,
    request_views,
    scheduling_views,
    views,
)

app_name = "research"

urlpatterns = [
    path("", views.index, name="index"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/dry-run/", views.request_dry_run, name="request_dry_run"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/sample/", views.request_sample, name="request_sample"),
    path("requests/<int:pk>/close/", request_views.request_close_page, name="request_close"),
    path("requests/<int:pk>/edit/", request_views.request_edit, name="request_edit"),
    path(
        "requests/<int:pk>/edit/dry-run/",
        request_views.request_edit_dry_run,
        name="request_edit_dry_run",
    ),
    path("requests/<int:pk>/cancel/", request_views.request_cancel_page, name="request_cancel"),
    path("panel/", views.panel, name="panel"),
    path("participants/<int:pk>/", participant_views.participant_detail, name="participant_detail"),
    path(
        "participants/<int:pk>/override/",
        participant_views.participant_override,
        name="participant_override",
    ),
    path(
        "participants/<int:pk>/opt-out/",
        participant_views.participant_opt_out,
        name="participant_opt_out",
    ),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", account_views.account_edit, name="account_edit"),
    path("attributes/", attribute_views.attribute_list, name="attributes"),
    path("attributes/<int:pk>/", attribute_views.attribute_edit, name="attribute_edit"),
    path("attributes/<int:pk>/retire/", attribute_views.attribute_retire, name="attribute_retire"),
    path("health/", views.panel_health, name="health"),
    path("rules/", views.rules_edit, name="rules"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_map, name="import_map"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path(
        "requests/<int:pk>/schedule/",
        scheduling_views.request_schedule,
        name="request_schedule",
    ),
    path("bookings/<int:pk>/outcome/", scheduling_views.booking_outcome, name="booking_outcome"),
    path("calendar/", scheduling_views.calendar, name="calendar"),
    path("availability/", availability_views.availability_edit, name="availability"),
    path("scheduling/metrics/", scheduling_views.metrics, name="scheduling_metrics"),
    # Participant pages behind signed links (no login).
    path("book/<str:token>/", booking_views.book, name="book"),
    path("book/<str:token>/confirm/", booking_views.book_confirm, name="book_confirm"),
    path("book/<str:token>/done/", booking_views.book_done, name="book_done"),
    path("book/<str:token>/session.ics", booking_views.book_ics, name="book_ics"),
    path("book/<str:token>/move/", booking_views.book_reschedule, name="book_reschedule"),
    path("book/<str:token>/cancel/", booking_views.book_cancel, name="book_cancel"),
    path("book/<str:token>/decline/", booking_views.book_decline, name="book_decline"),
    path("opt-out/<str:token>/", booking_views.opt_out, name="opt_out"),
    path("preferences/<str:token>/", booking_views.preferences, name="preferences"),
]
