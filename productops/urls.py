from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from productops import api_docs, health, views
from productops.accounts import api as accounts_api
from productops.api_limits import RootRouter

router = RootRouter()
router.register("teams", accounts_api.TeamViewSet, basename="team")
router.register(
    r"teams/(?P<team_slug>[-\w]+)/memberships",
    accounts_api.MembershipViewSet,
    basename="membership",
)
router.register("tokens", accounts_api.TokenViewSet, basename="token")
router.register("notifications", accounts_api.NotificationViewSet, basename="notification")

api_v1 = [
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("telemetry/", include("telemetry.api")),
    path("strategy/", include("strategy.api")),
    path("research/", include("research.api")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("productops.accounts.urls")),
    path("telemetry/", include("telemetry.urls")),
    path("strategy/", include("strategy.urls")),
    path("research/", include("research.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", api_docs.RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("django-admin/", admin.site.urls),
]

handler403 = "productops.errors.permission_denied"
handler404 = "productops.errors.page_not_found"
handler500 = "productops.errors.server_error"
