"""Checks every API request's text before any view sees it.

PostgreSQL cannot store a NUL byte and a lone UTF-16 surrogate cannot be encoded, so either
one used to reach the database and end in a 500. One check here covers JSON bodies, form
fields, query parameters and URL parts, and answers 400 naming the field instead.
"""

import codecs

from django.conf import settings
from django.http import JsonResponse
from rest_framework import exceptions, parsers
from rest_framework.utils import json

# Deeper than any document the portal accepts; a 1,000-level body is an attack, not data.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def body_limit_text() -> str:
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{size:,} bytes"


def too_large_message() -> str:
    return (
        f"The request body is larger than the limit of {body_limit_text()} "
        "(DATA_UPLOAD_MAX_MEMORY_SIZE); send less per request."
    )


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, or None."""
    if "\x00" in value:
        return "Remove the NUL character (\\u0000); text cannot contain it."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Remove the lone UTF-16 surrogate (\\ud800–\\udfff); it is not a character."
    return None


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _refuse(path: str, problem: str):
    """The error goes under the top-level field, as a serializer's would; the message says where."""
    field, _, rest = path.partition(".")
    message = f"At {path}: {problem}" if rest else problem
    return exceptions.ValidationError({field or "body": [message]})


def check_document(data, *, max_depth: int | None = None) -> None:
    """Raise a 400 naming the first field with unstorable text, or when nested too deep.

    Walks iteratively so a deep document cannot exhaust the stack here either.
    """
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise _refuse(path, problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if max_depth is not None and depth >= max_depth:
            raise exceptions.ParseError(
                f"The JSON body is nested deeper than {max_depth} levels; flatten it."
            )
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    raise _refuse(_join(path, "<key>"), problem)
            stack.append((item, _join(path, key), depth + 1))


def _read_bounded(stream) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1) if stream is not None else b""
    if limit is not None and len(body) > limit:
        raise PayloadTooLarge(too_large_message())
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser plus a size bound, a depth bound and the text check."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        body = _read_bounded(stream)
        try:
            text = codecs.decode(body, encoding)
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise exceptions.ParseError(
                f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels; flatten it."
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        check_document(data, max_depth=MAX_JSON_DEPTH)
        return data


def _check_querydict(data) -> None:
    for key, values in data.lists():
        problem = text_problem(key)
        if problem:
            raise exceptions.ValidationError({"<name>": [problem]})
        for value in values:
            if isinstance(value, str):
                problem = text_problem(value)
                if problem:
                    raise exceptions.ValidationError({key: [problem]})


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_querydict(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_querydict(result.data)
        return result


class ApiInputMiddleware:
    """For /api/: query parameters and URL parts are checked before the view runs.

    A body whose declared size is over DATA_UPLOAD_MAX_MEMORY_SIZE gets a JSON 413 at once;
    file uploads (multipart) are bounded by their endpoint instead, as Django does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            refused = self._refuse_body(request) or self._refuse_query(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse_body(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.content_type == "multipart/form-data":
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > limit:
            return JsonResponse({"detail": too_large_message()}, status=413)
        return None

    def _refuse_query(self, request):
        try:
            _check_querydict(request.GET)
        except exceptions.ValidationError as exc:
            return JsonResponse(exc.detail, status=400)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith("/api/"):
            return None
        for name, value in view_kwargs.items():
            if isinstance(value, str):
                problem = text_problem(value)
                if problem:
                    return JsonResponse({name: [problem]}, status=400)
        return None
