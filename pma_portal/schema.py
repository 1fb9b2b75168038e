"""OpenAPI post-processing: every status an operation can answer is documented.

drf-spectacular documents the success answer; the errors every endpoint shares (bad input,
not signed in, not allowed, not found or another firm's, throttled sign-in) are added here
once, with their bodies, so that the schema is exact (checked by tests/contract)."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error: `detail` for the whole request, or one list of messages per field "
        "(`non_field_errors` for the request as a whole)."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

ERRORS = {
    "400": "The request is invalid: the body names each field and what is wrong.",
    "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    "403": "Signed in, but your role may not do this.",
    "404": (
        "No such object in your firm (missing and another firm's read the same), or no such page."
    ),
}
PUBLIC_ERRORS = {"400", "429"}
THROTTLED = "Too many failed sign-in attempts from this address for this username: wait."


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def error_responses_hook(result, generator, request, public):
    """Add the shared error answers to every operation (spectacular POSTPROCESSING_HOOKS)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "put", "patch", "post", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            is_public = path == "/api/auth/token/"
            for code, description in ERRORS.items():
                if is_public and code not in PUBLIC_ERRORS:
                    continue
                responses.setdefault(code, _error(description))
            if is_public:
                responses.setdefault("429", _error(THROTTLED))
    return result
