"""The observed-events endpoint: a product's pipeline posts what it sends, in Segment's batch format."""

import zlib

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from telemetry.observed import observed_ingest
from telemetry.observed_batch import MAX_EVENTS, BatchError, batch_read


class _RawBody(BaseParser):
    """Hands the body over unread: the view reads it with its own size limit, once."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


class IngestedSerializer(serializers.Serializer):
    counted = serializers.IntegerField(help_text="events added to the counts")
    repeats = serializers.IntegerField(help_text="messageIds already counted in the last 24 h")
    skipped = serializers.IntegerField(help_text="identify/page/screen calls, which have no name")
    new_names = serializers.ListField(child=serializers.CharField())


def _max_body() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _refuse(field: str, message: str, code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({field: [message]}, status=code)


class ObservedView(APIView):
    """Count events as production sends them. Names are linted, never refused."""

    parser_classes = [_RawBody]

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: IngestedSerializer,
            400: OpenApiResponse(description="the field at fault and how to fix it"),
            413: OpenApiResponse(description="body larger than the limit"),
        },
        examples=[
            OpenApiExample(
                "Segment batch",
                request_only=True,
                value={
                    "batch": [
                        {
                            "type": "track",
                            "event": "Order Completed",
                            "properties": {"order_id": "o-1", "total": 12.5},
                            "context": {"library": {"name": "analytics.js"}},
                            "timestamp": "2026-03-01T12:00:00Z",
                            "messageId": "ajs-1",
                        }
                    ]
                },
            )
        ],
        description=(
            f"Segment's batch format, at most {MAX_EVENTS:,} events per request. Counts per name, "
            "source and UTC day; property values are never stored. An event whose messageId was "
            "counted in the last 24 hours is counted once. A batch counts whole or not at all. "
            "The body may be gzipped (Content-Encoding: gzip)."
        ),
    )
    def post(self, request):
        limit = _max_body()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _refuse(
                "body",
                f"is {declared:,} bytes; send at most {limit:,} per request (split the batch).",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        raw = request.stream.read(limit + 1) if request.stream is not None else b""
        if len(raw) > limit:
            return _refuse(
                "body",
                f"is over {limit:,} bytes; send at most {limit:,} per request (split the batch).",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        encoding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        if encoding == "gzip":
            # Segment's libraries gzip their batches; the limit applies to what it unpacks to,
            # so a small bomb cannot grow into gigabytes.
            unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                raw = unpack.decompress(raw, limit + 1)
            except zlib.error:
                return _refuse("body", "is not valid gzip; send it plain or gzip it whole.")
            if len(raw) > limit or unpack.unconsumed_tail:
                return _refuse(
                    "body",
                    f"unpacks to over {limit:,} bytes; send at most {limit:,} per request.",
                    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                )
        elif encoding not in ("", "identity"):
            return _refuse(
                "body",
                f"is encoded as {encoding[:40]!r}; send it plain or with gzip.",
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        now = timezone.now()
        try:
            batch = batch_read(raw, now=now)
        except BatchError as exc:
            return _refuse(exc.field, exc.message)
        result = observed_ingest(batch=batch, now=now)
        return Response(
            {
                "counted": result.counted,
                "repeats": result.repeats,
                "skipped": result.skipped,
                "new_names": result.new_names[:100],
            }
        )
