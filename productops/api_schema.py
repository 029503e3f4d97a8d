"""The error answers every API operation can give, documented once for the whole schema."""

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Either `detail` (what went wrong and what to do) or one key per field that was "
        'refused, each with its messages (`{"name": ["…"]}`; nested fields are joined with '
        "dots, e.g. `names.3`)."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        }
    },
    "additionalProperties": True,
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer"},
    }
}

ERRORS = {
    "400": "The input was refused: the body names each field and the fix (also for NUL "
    "characters, lone UTF-16 surrogates, JSON nested deeper than 32 levels).",
    "401": "No valid credentials: send `Authorization: Bearer <token>` or sign in.",
    "403": "Signed in, but not allowed to do this; `detail` says who may.",
    "404": "No such object, or not one you can see (also for malformed ids).",
    "409": "Another request changed or created the same thing at the same moment; reload and retry.",
    "413": "The request body is over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MB by default).",
    "429": "Too many requests from you (or too many unknown tokens from your address); "
    "wait `Retry-After` seconds.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in ERRORS.items():
                if code in responses:
                    continue
                response = {
                    "description": description,
                    "content": {"application/json": {"schema": ref}},
                }
                if code == "429":
                    response["headers"] = RETRY_AFTER
                responses[code] = response
    return result
