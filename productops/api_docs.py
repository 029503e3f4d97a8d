"""The API documentation pages, served under the portal's Content-Security-Policy.

Swagger UI gets its start-up script as a separate file (the split view), so it needs
no inline script. Redoc renders with styled-components, which writes <style> elements,
and runs its search in a blob: worker; its sidebar always shows Redocly's logo from their CDN.
Only that page allows inline styles, blob: workers and that one image host.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(
    csp_update(
        {
            "style-src": [UNSAFE_INLINE],
            "worker-src": [SELF, "blob:"],
            "img-src": ["https://cdn.redoc.ly"],
        }
    ),
    name="dispatch",
)
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
