"""The dashboard's pages carry a Content-Security-Policy (no inline script but the import map, by hash)
and refuse to be framed."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from tests.support.factories import Tenant
from tests.web.test_pages import login


def policy_of(response: httpx.Response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


async def test_dashboard_pages_have_a_csp_that_allows_only_their_own_scripts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await login(client, tenant.owner.email)
    for path in (f"/app/{tenant.account_id}", f"/app/{tenant.account_id}/settings/labels"):
        page = await client.get(path)
        assert page.status_code == 200, path
        policy = policy_of(page)
        assert policy["frame-ancestors"] == "'none'"
        assert page.headers["x-frame-options"] == "DENY"
        assert policy["object-src"] == "'none'"
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        # The one inline script that runs, the import map, is allowed by its exact hash.
        importmap = re.search(r'<script type="importmap">(.*?)</script>', page.text, re.S)
        assert importmap is not None, path
        digest = base64.b64encode(hashlib.sha256(importmap.group(1).encode()).digest()).decode()
        assert policy["script-src"] == f"'self' 'sha256-{digest}'"
        # Every other inline <script> is data (JSON), which a CSP does not need to allow.
        for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs or 'type="importmap"' in attrs, attrs


async def test_login_and_error_pages_have_the_csp_too(client: httpx.AsyncClient, tenant: Tenant) -> None:
    login_page = await client.get("/login")
    assert policy_of(login_page)["frame-ancestors"] == "'none'"
    await login(client, tenant.agent.email)
    missing = await client.get(f"/app/{tenant.account_id}/conversations/999")
    assert missing.status_code == 404
    assert policy_of(missing)["frame-ancestors"] == "'none'"
    assert missing.headers["x-frame-options"] == "DENY"
