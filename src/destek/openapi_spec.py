"""The OpenAPI document declares the errors each operation can answer, with the one error body.

FastAPI documents only what a route declares (and a 422 in its own shape, not ours). Every route
would have to repeat the same 401/403/404/422, so `install(app)` completes the generated document
instead, from what each route is:

* under `/api/v1/accounts/{account_id}`: an agent (or the external bot) authenticates: 401, 403
  (an administrator's action; a cookie without X-Requested-With), 404 (not that account);
* under `/api/v1/public/inboxes/{inbox_token}`: 403 (a web page of a domain the inbox does not allow),
  404 (an unknown inbox token), and 401 when the operation needs the contact token;
* under `/api/v1/profile`: the person's own routes, 401 without a login, 403 for a change sent with the
  session cookie but without X-Requested-With;
* a path parameter: 404 (nothing of that id, or another tenant's);
* a request body: 400 (unreadable: not UTF-8, a broken multipart form), 413 (over the size limit),
  422 (invalid); any other parameter: 422.

What a route answers beyond that (409, 410, 415, 429...) it declares itself with `responses=`; this
module gives every declared error the shared body (`destek.errors.ErrorOut`) when it names none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from destek.errors import ErrorOut

AGENT_PREFIX = "/api/v1/accounts/{account_id}"
PUBLIC_PREFIX = "/api/v1/public/inboxes/{inbox_token}"
PROFILE_PREFIX = "/api/v1/profile"
ERROR_REF = "#/components/schemas/ErrorOut"
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# FastAPI's own 422 shape, which this server never answers with (app.py renders ErrorOut).
FASTAPI_422 = ("HTTPValidationError", "ValidationError")

AGENT_ERRORS = {
    401: "No API token or login session, or a revoked one",
    403: "Not allowed: an administrator's action, or a session-cookie request without X-Requested-With",
    404: "No such account for this token or login, or nothing of that id in it",
}
PUBLIC_ERRORS = {
    403: "A web page of a domain the inbox does not allow (its allowed_domains)",
    404: "The inbox token is unknown, or nothing of that id belongs to this contact",
}
CONTACT_TOKEN_ERROR = {
    401: "No contact token, a broken one, or one of another inbox: identify the contact again"
}
PROFILE_ERRORS = {401: "Not logged in (or, where an API token is taken, a revoked one)"}
CSRF_ERROR = {403: "A change sent with the session cookie but without the X-Requested-With header"}
PATH_ERROR = {404: "Nothing of that id here (or it belongs to another account)"}
BODY_ERRORS = {
    400: "The body could not be read: not UTF-8 JSON, or a broken multipart form",
    413: "The body is larger than the server accepts",
    422: "The input is invalid; `error.field` names it, `error.errors` lists every problem",
}
PARAMETER_ERROR = {422: "A parameter is invalid; `error.field` names it"}


def install(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) declare every operation's errors."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare_errors(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_errors(document: dict[str, Any]) -> None:
    """Complete `document` in place: each operation's error statuses, each with the error body.

    It reads the generated document, not the routes: what a route declared is there already, and the
    document is the same whichever way FastAPI keeps its routers."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorOut"] = error_schema
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                _declare(operation, _errors_of(method, path, operation))
    # Nothing refers to FastAPI's 422 shape any more: drop it rather than document a body never sent.
    if "HTTPValidationError" not in json.dumps(document["paths"]):
        for name in FASTAPI_422:
            schemas.pop(name, None)


def _errors_of(method: str, path: str, operation: Mapping[str, Any]) -> dict[int, str]:
    parameters = operation.get("parameters", [])
    errors: dict[int, str] = {}
    if path.startswith(AGENT_PREFIX):
        errors.update(AGENT_ERRORS)
    elif path.startswith(PUBLIC_PREFIX):
        errors.update(PUBLIC_ERRORS)
        if any(requirement for requirement in operation.get("security", [])):
            errors.update(CONTACT_TOKEN_ERROR)
    elif path.startswith(PROFILE_PREFIX):
        errors.update(PROFILE_ERRORS)
        if method != "get":
            errors.update(CSRF_ERROR)
    if any(parameter.get("in") == "path" for parameter in parameters):
        errors = {**PATH_ERROR, **errors}
    if "requestBody" in operation:
        errors.update(BODY_ERRORS)
    elif parameters:
        errors.update(PARAMETER_ERROR)
    return errors


def _declare(operation: dict[str, Any], errors: Mapping[int, str]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, description in errors.items():
        # What the route declared itself (its description, headers) wins over the general rule.
        responses.setdefault(str(status), {"description": description})
    for code, response in responses.items():
        if not code.startswith(("4", "5")):
            continue
        content = response.setdefault("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if not schema or schema.get("$ref", "").rsplit("/", 1)[-1] in FASTAPI_422:
            content["application/json"] = {"schema": {"$ref": ERROR_REF}}
