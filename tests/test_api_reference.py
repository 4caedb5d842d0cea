"""docs/api-reference.md is the OpenAPI document's route list: regenerate it when routes change."""

from __future__ import annotations

from pathlib import Path

from destek.openapi_docs import markdown, openapi

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "api-reference.md"


def test_the_api_reference_lists_every_route_of_the_openapi_document() -> None:
    schema = openapi()
    regenerate = ".venv/bin/python -m destek.openapi_docs > docs/api-reference.md"
    assert REFERENCE.read_text(encoding="utf-8") == markdown(schema), f"stale: run `{regenerate}`"
    operations = sum(1 for item in schema["paths"].values() for method in item if method != "parameters")
    assert f"{operations} operations" in REFERENCE.read_text(encoding="utf-8")
