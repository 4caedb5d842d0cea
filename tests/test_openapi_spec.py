"""What /openapi.json says about errors: the one error body on every error, the statuses each kind of
route can answer; a 405 naming every method of its path, as the document lists them; booleans and
integers taken as JSON says them, as the document types them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from destek.openapi_docs import openapi
from destek.state import AppState
from tests.conversations.helpers import start_conversation
from tests.support.factories import Tenant

ERROR_OUT = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_every_error_answer_has_the_error_body(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == ERROR_OUT, (method, path, status)
    detail = document["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "message", "field", "errors", "retry_after"} <= set(detail)
    assert "HTTPValidationError" not in document["components"]["schemas"]  # FastAPI's, never sent


def test_errors_are_declared_from_what_the_route_is(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        if path.startswith("/api/v1/accounts/{account_id}"):
            assert {"401", "403", "404"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= statuses, (method, path)
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert "404" in statuses, (method, path)
    paths = document["paths"]
    assert "409" in paths["/api/v1/accounts/{account_id}/labels"]["post"]["responses"]
    assert "410" in paths["/api/v1/accounts/{account_id}/events"]["get"]["responses"]
    public_messages = "/api/v1/public/inboxes/{inbox_token}/conversations/{conversation_id}/messages"
    assert {"401", "403", "404", "429"} <= set(paths[public_messages]["post"]["responses"])
    assert paths["/healthz"]["get"]["responses"]["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Health"
    }


async def test_a_405_names_every_method_of_its_path(client: httpx.AsyncClient, tenant: Tenant) -> None:
    options = await client.options(tenant.url("/labels/1"), headers=tenant.owner.headers)
    assert options.status_code == 405
    assert options.headers["allow"] == "DELETE, PATCH"  # two routes share the path
    assert options.json()["error"]["code"] == "method_not_allowed"
    # /articles/export is not an article id: PATCH there is a method the path lacks, not a bad id.
    patch = await client.patch(tenant.url("/articles/export"), json={}, headers=tenant.owner.headers)
    assert patch.status_code == 405
    assert patch.headers["allow"] == "GET"


async def test_booleans_and_integers_in_bodies_are_json_ones(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    typing = tenant.url(f"/conversations/{started.number}/typing")
    for wrong in (1, 0, "true"):
        refused = await client.post(typing, json={"typing": wrong}, headers=tenant.agent.headers)
        assert refused.status_code == 422, wrong
        assert refused.json()["error"]["field"] == "typing"
    assert (await client.post(typing, json={"typing": True}, headers=tenant.agent.headers)).status_code == 204
    assignment = tenant.url(f"/conversations/{started.number}/assignment")
    for wrong in (True, "1"):
        refused = await client.post(assignment, json={"team_id": wrong}, headers=tenant.owner.headers)
        assert refused.status_code == 422, wrong
        assert refused.json()["error"]["field"] == "team_id"
