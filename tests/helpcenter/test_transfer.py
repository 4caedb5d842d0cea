"""Import and export as Markdown files with YAML front matter: API (zip, uploads) and CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from destek.cli import app as cli_app
from destek.config import Settings
from destek.state import AppState
from tests.helpcenter.helpers import PASSWORD_EN, PASSWORD_TR, draft, make_article, make_category
from tests.support.factories import Tenant

NEW_FILE = """---
key: tipping
locale: en
title: Adding a tip
category: payment
status: published
summary: Tip your waiter from the app.
---
Choose **Tip** before you pay.
"""


def _unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


async def test_export_then_import_into_another_account_round_trips(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    category = await make_category(state, tenant, "account", en="Account", tr="Hesap")
    await make_article(
        state, tenant, {"tr": PASSWORD_TR, "en": draft(PASSWORD_EN)}, key="password", category_id=category
    )
    exported = await client.get(tenant.url("/articles/export"), headers=tenant.owner.headers)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    files = _unzip(exported.content)
    assert set(files) == {"categories.yaml", "password.en.md", "password.tr.md"}
    assert files["password.tr.md"].startswith("---\nkey: password\nlocale: tr\ntitle: Şifremi unuttum\n")
    assert "category: account" in files["password.tr.md"] and "status: draft" in files["password.en.md"]

    imported = await client.post(
        other_tenant.url("/articles/import"),
        files={"file": ("help.zip", exported.content, "application/zip")},
        headers=other_tenant.owner.headers,
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 1, "updated": 0, "articles": ["password"]}
    again = await client.get(other_tenant.url("/articles/export"), headers=other_tenant.owner.headers)
    assert _unzip(again.content) == files


async def test_reimport_updates_by_key_and_a_bad_file_changes_nothing(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    own = tenant.owner.headers
    first = await client.post(
        tenant.url("/articles/import"),
        files=[("file", ("tipping.en.md", NEW_FILE.encode(), "text/markdown"))],
        headers=own,
    )
    assert first.json()["created"] == 1, first.text
    (article,) = (await client.get(tenant.url("/articles"), headers=own)).json()
    categories = (await client.get(tenant.url("/categories"), headers=own)).json()
    assert [c["key"] for c in categories] == ["payment"] and article["category_id"] == categories[0]["id"]

    turkish = NEW_FILE.replace("locale: en", "locale: tr").replace("Adding a tip", "Bahşiş eklemek")
    changed = NEW_FILE.replace("Adding a tip", "Leaving a tip")
    second = await client.post(
        tenant.url("/articles/import"),
        files=[
            ("file", ("tipping.en.md", changed.encode(), "text/markdown")),
            ("file", ("tipping.tr.md", turkish.encode(), "text/markdown")),
        ],
        headers=own,
    )
    assert second.json() == {"created": 0, "updated": 1, "articles": ["tipping"]}, second.text
    (after,) = (await client.get(tenant.url("/articles"), headers=own)).json()
    assert after["id"] == article["id"]
    assert {t["locale"]: t["title"] for t in after["translations"]} == {
        "en": "Leaving a tip",
        "tr": "Bahşiş eklemek",
    }

    broken = "---\nkey: other\ntitle: No locale here\n---\nBody\n"
    bad = await client.post(
        tenant.url("/articles/import"),
        files=[
            ("file", ("ok.en.md", NEW_FILE.replace("tipping", "fine").encode(), "text/markdown")),
            ("file", ("broken.md", broken.encode(), "text/markdown")),
        ],
        headers=own,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "broken.md: the front matter needs a locale (e.g. locale: en)"
    assert len((await client.get(tenant.url("/articles"), headers=own)).json()) == 1
    agent = await client.post(
        tenant.url("/articles/import"),
        files=[("file", ("t.md", NEW_FILE.encode(), "text/markdown"))],
        headers=tenant.agent.headers,
    )
    assert agent.status_code == 403


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTEK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DESTEK_DATA_DIR", str(settings.data_dir))


async def test_the_cli_exports_and_imports_a_folder(
    cli_env: None, state: AppState, tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    import asyncio

    await make_article(state, tenant, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password")
    runner = CliRunner()
    out = tmp_path / "export"

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli_app, list(args))
        return result.exit_code, result.output

    code, output = await asyncio.to_thread(
        run, "helpcenter", "export", str(out), "--account", str(tenant.account_id)
    )
    assert code == 0, output
    assert "exported 2 translations" in output
    assert sorted(p.name for p in out.iterdir()) == ["password.en.md", "password.tr.md"]

    code, output = await asyncio.to_thread(
        run, "helpcenter", "import", str(out), "--account", str(other_tenant.account_id)
    )
    assert code == 0 and "1 created" in output, output

    (out / "broken.md").write_text("no front matter at all", encoding="utf-8")
    (out / "password.en.md").write_text(PASSWORD_EN.title + " changed", encoding="utf-8")
    code, output = await asyncio.to_thread(
        run, "helpcenter", "import", str(out), "--account", str(other_tenant.account_id)
    )
    assert code == 1
    assert "no front matter" in output
