"""docs/api-reference.md, generated from the OpenAPI document: every route with its summary.

`python -m destek.openapi_docs > docs/api-reference.md` rewrites it; a test fails when it is stale.
The full schema (bodies, fields, errors) is served at /openapi.json and browsable at /docs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from destek.app import create_app
from destek.config import Settings

METHODS = ("get", "post", "put", "patch", "delete")
SECTIONS = (
    ("Agent API", "/api/v1/accounts/"),
    ("Public client API (widget and mobile apps)", "/api/v1/public/"),
    ("Login, profile and operations", ""),
)


def openapi() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:  # nothing is opened: the app is only described
        settings = Settings(data_dir=Path(scratch), database_url=f"sqlite+aiosqlite:///{scratch}/x.db")
        schema: dict[str, Any] = create_app(settings).openapi()
        return schema


def _section(path: str) -> str:
    for title, prefix in SECTIONS:
        if prefix and path.startswith(prefix):
            return title
    return SECTIONS[-1][0]


def markdown(schema: dict[str, Any]) -> str:
    rows: dict[str, list[str]] = {title: [] for title, _ in SECTIONS}
    for path, item in sorted(schema["paths"].items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            summary = str(operation.get("summary", "")).replace("|", "\\|")
            rows[_section(path)].append(f"| `{method.upper()}` | `{path}` | {summary} |")
    lines = [
        "# API reference",
        "",
        "Generated from the OpenAPI document by `python -m destek.openapi_docs > docs/api-reference.md`",
        "(a test fails when this file is stale). Bodies, fields and error shapes: `/openapi.json`, or",
        "browse them at `/docs` on a running server. How to use the APIs: [api.md](api.md); the websocket",
        "protocol: [realtime.md](realtime.md).",
        "",
        f"{schema['info']['title']} {schema['info']['version']}: "
        f"{sum(len(r) for r in rows.values())} operations.",
    ]
    for title, _prefix in SECTIONS:
        header = ["| method | path | what it does |", "| --- | --- | --- |"]
        lines += ["", f"## {title}", "", *header, *rows[title]]
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(markdown(openapi()))


if __name__ == "__main__":
    main()
