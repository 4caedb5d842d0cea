"""`destek demo`: migrate, load the demo data once into an empty database, and serve, printing where to
go and who to log in as (what `make run` starts)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek import cli
from destek.config import Settings

if TYPE_CHECKING:
    from destek.demo import DemoInfo


def _browser_url(settings: Settings) -> str:
    if settings.host in ("0.0.0.0", "::", ""):
        return f"http://127.0.0.1:{settings.port}"
    return settings.public_url.rstrip("/")


async def _account_count(session: AsyncSession) -> int:
    from destek.accounts.models import Account

    return int(await session.scalar(select(func.count()).select_from(Account)) or 0)


async def _prepare_demo(settings: Settings) -> tuple[DemoInfo, str] | None:
    """Load the demo data into an empty database and mint a fresh token; None if the database
    already holds other accounts (the demo never writes into a real installation)."""
    from destek.accounts import credentials
    from destek.demo import find_demo, load_demo

    async with cli._started(settings) as state:
        async with state.read() as session:
            found = await find_demo(session)
            count = await _account_count(session)
        if found is None and count > 0:
            return None
        info = await load_demo(state)
        async with state.uow() as session:
            _token, plaintext = await credentials.create_api_token(
                session, account_id=info.account_id, user_id=info.owner_user_id, name="demo"
            )
        return info, plaintext


def demo_box(url: str, info: DemoInfo, token: str) -> str:
    """What `destek demo` prints: a box with where to go and who to log in as, then two curl examples
    (outside the box, one line each, so they copy and paste)."""
    agent = info.agents[0] if info.agents else None
    lines = [
        f"Destek demo is running: {url}",
        "",
        f"Account:      {info.account_name} (id {info.account_id})",
        f"Owner login:  {info.owner_email} / {info.password}",
    ]
    if agent is not None:
        lines.append(f"Agent login:  {agent.email} / {info.password}  ({agent.team})")
    lines += [
        f"API token:    {token}  (the owner's, new on every start)",
        f"Inbox token:  {info.inbox_public_token}  (in-app chat, public)",
        f"Dashboard:    {url}/app  (with a login above)",
        f"Chat widget:  {url}/widget/demo  (a café web page with the chat)",
        f"Help center:  {url}/hc/{info.account_id}",
        "",
        "Stop with Ctrl+C. The data stays; the next start reuses it.",
    ]
    width = max(len(line) for line in lines)
    box = [
        "┌" + "─" * (width + 2) + "┐",
        *(f"│ {line.ljust(width)} │" for line in lines),
        "└" + "─" * (width + 2) + "┘",
    ]
    public = f"{url}/api/v1/public/inboxes/{info.inbox_public_token}"
    examples = [
        "",
        "# Agent API: list the conversations",
        f'curl -H "Authorization: Bearer {token}" {url}/api/v1/accounts/{info.account_id}/conversations',
        "",
        "# Public API: identify a customer of the app (returns a contact token)",
        "curl -X POST -H 'Content-Type: application/json' "
        f"""-d '{{"identifier": "u-42", "name": "Deniz", "locale": "tr"}}' {public}/contacts""",
        "",
    ]
    return "\n".join(box + examples)


def demo(host: cli.HostOpt = None, port: cli.PortOpt = None) -> None:
    """Migrate, load demo data (once, into an empty database) and serve: the quickest way to try Destek."""
    with cli._reported():
        settings = cli._settings(host=host, port=port, demo=True)
        typer.echo(f"migrating {cli.safe_url(settings.database_url)} ...", err=True)
        cli._migrate(settings)
        prepared = cli._run(_prepare_demo(settings))
        url = _browser_url(settings)
        if prepared is None:
            message = (
                f"Destek is running: {url}\n"
                "The database already holds accounts, so no demo data was loaded. "
                "Use `destek create-token` for an API token."
            )
        else:
            info, token = prepared
            message = demo_box(url, info, token)

        def announce() -> None:
            typer.echo(message)
            sys.stdout.flush()

        server = cli._server(settings, forwarded_allow_ips=None, on_started=announce)
    server.run()
