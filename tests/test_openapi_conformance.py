"""The OpenAPI document tells the truth: schemathesis calls every operation of /openapi.json on the
running app, as a tenant's owner (API token) and as a customer's app (contact token), and checks that
each answer is one the document declares: its status, content type, body schema and headers; that
invalid input is refused; that an undeclared method is 405 with an Allow header naming every declared
one; and that nothing answers 5xx.

Deterministic (a fixed seed, no example database): the same cases in the same order on every run, so
it cannot fail at random. Bounded: the coverage phase (boundaries, missing and wrong-typed input,
undeclared methods) runs in full, the random phase with a few examples per operation.

Not fuzzed, because they are not in the document: the websockets (/ws, /api/v1/public/ws; their
protocol has its own tests) and the HTML pages (dashboard, settings, help center, widget).
"""

from __future__ import annotations

import asyncio
import collections
import copy
from typing import Any

import httpx
import schemathesis
from fastapi import FastAPI
from schemathesis import engine
from schemathesis.engine import events
from schemathesis.python import asgi

from destek.app import create_app
from destek.config import Settings
from destek.state import AppState
from tests.support.factories import ContactSession, Tenant
from tests.support.isolation import Side, build_side

ACCOUNT = "^/api/v1/accounts/"
PUBLIC = "^/api/v1/public/"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
)


def config(tenant: Tenant, contact: ContactSession) -> schemathesis.Config:
    owner = {"Authorization": f"Bearer {tenant.owner.token}"}
    return schemathesis.Config.from_dict(
        {
            "seed": 20261207,
            "cache": {"enabled": False},
            "generation": {"deterministic": True, "database": "none", "max-examples": 2},
            "phases": {
                "examples": {"enabled": True},
                # Coverage: every boundary and every kind of wrong input, once. Its positive half is
                # what the random phase draws anyway: leaving it out halves the run.
                "coverage": {
                    "enabled": True,
                    "generation": {"mode": "negative"},
                    # One code path answers every undeclared method: OPTIONS checks its Allow header,
                    # PATCH the paths where a parametrized route could take it instead.
                    "unexpected-methods": ["OPTIONS", "PATCH"],
                },
                "fuzzing": {"enabled": True, "generation": {"mode": "positive"}},
                "stateful": {"enabled": False},
            },
            # Only checks about the answer to each request. Left out: positive_data_acceptance (valid
            # input is refused for the state it meets: an id of nothing is 404, a taken name 409),
            # the stateful and authorization checks (one identity, no links), response times.
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "operations": [
                # These would revoke the token the run acts with, or delete the customer it acts as:
                # everything after would be a 401 that proves nothing.
                {"include-name": "DELETE /api/v1/accounts/{account_id}/tokens/{token_id}", "enabled": False},
                {
                    "include-name": "DELETE /api/v1/accounts/{account_id}/contacts/{contact_id}",
                    "enabled": False,
                },
                # The person's own routes take a login session, not an API token: with the token
                # every case is the same 401, so only the negative half of the coverage runs there.
                {
                    "include-path-regex": "^/api/v1/profile/",
                    "phases": {"coverage": {"generation": {"mode": "negative"}}},
                },
                # Routes with a body: its valid boundaries too, and each wrong value in an otherwise
                # valid request (in negative mode every part is wrong at once: the path's 404 or 422
                # would hide whether the body was checked).
                {
                    "include-method-regex": "^(POST|PUT|PATCH)$",
                    "phases": {"coverage": {"generation": {"mode": "all"}}},
                },
                {"include-path-regex": ACCOUNT, "headers": owner},
                {"include-path-regex": "^/api/v1/profile", "headers": owner},
                {"include-path-regex": PUBLIC, "headers": {"Authorization": f"Bearer {contact.token}"}},
            ],
        }
    )


# Path parameters whose one valid value, for the run, is the tenant's own object (Side.params()): valid
# cases reach real rows, so an invalid body meets the validation of a real handler, not a 404. Any
# other value is refused (404) while the negative cases run: they all run (coverage phase) before the
# random phase creates a second object of any kind. Not pinned: ids of kinds the tenant has several
# of (contacts, agents), the file name (any is fine), the locale (any is a valid translation to write).
PINNED = (
    "account_id",
    "inbox_token",
    "inbox_id",
    "number",
    "conversation_id",
    "team_id",
    "canned_id",
    "label_id",
    "category_id",
    "article_id",
    "attachment_id",
    "access_key",
)


def pinned(document: dict[str, Any], side: Side) -> dict[str, Any]:
    """The document with each PINNED path parameter allowing the tenant's own value alone."""
    values = side.params()
    pins = {
        name: {"type": "integer" if isinstance(values[name], int) else "string", "enum": [values[name]]}
        for name in PINNED
    }
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in pins:
                    parameter["schema"] = pins[parameter["name"]]
    return document


def fuzz(app: FastAPI, side: Side) -> tuple[list[str], collections.Counter[tuple[str, int]]]:
    """Run schemathesis (blocking); every failure as text, and how often each API (the path's first
    segment after /api/v1: accounts, public, profile...) answered each status."""
    schema = schemathesis.openapi.from_dict(
        pinned(app.openapi(), side), config=config(side.tenant, side.contact)
    )
    # The requests go to `app` in-process, through schemathesis' ASGI transport: its own event loop
    # runs the app's lifespan (own state, own connections) for the whole run.
    schema.app = app
    failures: list[str] = []
    statuses: collections.Counter[tuple[str, int]] = collections.Counter()
    try:
        for event in engine.from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                recorder = event.recorder
                api = recorder.label.split(" ")[-1].removeprefix("/api/v1/").split("/")[0]
                for interaction in recorder.interactions.values():
                    if interaction.response is not None:
                        statuses[api, interaction.response.status_code] += 1
                for case_id, checks in recorder.checks.items():
                    for check in checks:
                        if check.failure_info is None:
                            continue
                        failure = check.failure_info.failure
                        case = recorder.cases[case_id].value
                        failures.append(
                            f"{failure.operation} [{check.name}] {failure.title}: {failure.message}\n"
                            f"    {case.as_curl_command()}"
                        )
            elif isinstance(event, events.NonFatalError):
                # An exception out of the app (its 500), or a schema schemathesis cannot use.
                failures.append(f"{event.label}: {event.info.title}: {event.info.message}")
            elif isinstance(event, events.FatalError):
                failures.append(f"schemathesis stopped: {event.exception!r}")
    finally:
        asgi.shutdown_lifespans()  # stop the app and close its connections before the database goes
    return failures, statuses


async def test_every_answer_is_one_the_openapi_document_declares(
    settings: Settings, state: AppState, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    side = await build_side(client, state, tenant)  # one of everything, made through the API
    # A second app on the same database: the fixture's state runs on this test's event loop, which
    # schemathesis cannot use. The same settings, so the same secret signs the contact token.
    app = create_app(settings.model_copy(update={"rate_limits": False}))  # no 429s in place of answers

    failures, statuses = await asyncio.to_thread(fuzz, app, side)

    assert not failures, f"{len(failures)} answers differ from the OpenAPI document:\n\n" + "\n\n".join(
        dict.fromkeys(failures)
    )
    # The run reached the handlers as the owner and as the customer, not only the validation.
    for api in ("accounts", "public"):
        answered = sum(n for (of, status), n in statuses.items() if of == api and status < 300)
        assert answered > 50, (api, statuses)
