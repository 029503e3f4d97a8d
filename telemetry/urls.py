from django.urls import path

from telemetry import views

app_name = "telemetry"

urlpatterns = [
    path("", views.index, name="index"),
]
