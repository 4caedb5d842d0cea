"""Text with the NUL character (U+0000) is refused as input (422), whatever the database.

PostgreSQL cannot store NUL in text or JSON: such a value would fail the query, a 500, after the
request had been accepted; SQLite would store it. One check in front of every route refuses it the
same way on both: in a path parameter, a declared query parameter, or a JSON body (as `\\u0000`).
Files and other bytes of a multipart upload are not text and may hold any byte.
"""

from __future__ import annotations

import re

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection, Request

from destek.errors import Invalid

# `\u0000` in JSON text, not preceded by an escaped backslash (`\\u0000` is a backslash and "u0000").
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
MESSAGE = "text may not contain the NUL character (\\u0000)"

_declared_queries: dict[int, frozenset[str]] = {}


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters the route reads: the others are ignored, and so is what they hold."""
    names = _declared_queries.get(id(route))
    if names is None:
        names = _declared_queries[id(route)] = frozenset(_queries_of(route.dependant))
    return names


def _queries_of(dependant: Dependant) -> set[str]:
    names = {parameter.alias for parameter in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _queries_of(dependency)
    return names


async def refuse_nul(connection: HTTPConnection) -> None:
    for name, value in connection.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise Invalid(MESSAGE, field=name)
    route = connection.scope.get("route")
    if isinstance(route, APIRoute):
        declared = _query_names(route)
        for name, value in connection.query_params.multi_items():
            if name in declared and "\x00" in value:
                raise Invalid(MESSAGE, field=name)
    if isinstance(connection, Request) and "json" in connection.headers.get("content-type", ""):
        body = await connection.body()  # read already: FastAPI parses it before the dependencies run
        if JSON_NUL.search(body):
            raise Invalid(MESSAGE, field="body")
