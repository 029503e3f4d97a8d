"""The 403, 404 and 500 pages: in the site's layout, with the reason and a way on."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme


def _reason(exception) -> str:
    """The message the code gave (PermissionDenied("Only members of …")), if it gave one."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    return message if isinstance(message, str) else ""


def _back_url(request) -> str:
    # Only a page of ours: the Referer is the browser's word, not something to link blindly.
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe and referer != request.build_absolute_uri() else ""


def permission_denied(request, exception=None):
    context = {"reason": _reason(exception), "back_url": _back_url(request)}
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    context = {
        "reason": _reason(exception),
        "request_path": request.path,
        "back_url": _back_url(request),
    }
    return render(request, "404.html", context, status=404)


def server_error(request):
    # No request context: the database or a context processor may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
