"""Project-wide API plumbing: the error shape every endpoint answers with."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from productops.api_input import PayloadTooLarge, too_large_message


class Conflict(exceptions.APIException):
    """Two requests tried to create the same thing at once; the other one won."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This was changed by another request at the same moment; reload and retry."
    default_code = "conflict"


def exception_handler(exc, context):
    """Turn a Django ValidationError raised by a domain function into a 400 naming the field.

    Everything else keeps DRF's shape: {"field": ["message"]} or {"detail": "..."}.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {
                field: [m for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            data = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        # A domain function marks "someone else just created this" with code="conflict".
        conflict = (
            all(e.code == "conflict" for e in exc.error_list)
            if not hasattr(exc, "error_dict")
            else all(e.code == "conflict" for es in exc.error_dict.values() for e in es)
        )
        return Response(
            data, status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(too_large_message())
    elif isinstance(exc, IntegrityError):
        # A safety net: each known race answers its own 409 or is idempotent. The transaction
        # was rolled back, so nothing was half-written.
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # A bare list (ValidationError("…")) becomes the documented {"detail": …} shape.
        messages = response.data
        response.data = {"detail": messages[0] if len(messages) == 1 else messages}
    return response
