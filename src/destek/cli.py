"""The `destek` command for operators: migrate, serve, worker, demo, create-admin, create-token.

Every command builds its Settings once, from the DESTEK_* environment and its own options, and hands
them down; nothing reads the configuration at import time. Errors are printed as one clear line on
stderr with a non-zero exit code: 1 for a refused request (a duplicate e-mail, an unknown account),
2 for a setup problem (an invalid setting, an unmigrated or unreachable database).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from destek import __version__
from destek.config import Settings
from destek.errors import DestekError
from destek.state import AppState

if TYPE_CHECKING:
    pass

T = TypeVar("T")
log = logging.getLogger("destek.worker")

NOT_MIGRATED = "database is not migrated: run `destek migrate`"

app = typer.Typer(
    name="destek",
    help="Destek: self-hostable customer support. Settings come from DESTEK_* environment variables "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class CliError(Exception):
    """A failure to report on stderr, without a traceback, with this exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    raise CliError(message, code)


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """Turn the errors an operator can act on into one line on stderr and an exit code."""
    try:
        yield
    except CliError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exc.code) from None
    except DestekError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except ValidationError as exc:
        typer.echo(f"error: invalid setting: {_validation_message(exc)}", err=True)
        raise typer.Exit(2) from None
    except SettingsError as exc:
        # A list setting that is not JSON, e.g. DESTEK_ALLOWED_UPLOAD_TYPES=image/png,text/plain.
        typer.echo(f'error: invalid setting: {exc} (lists are written as JSON: ["a", "b"])', err=True)
        raise typer.Exit(2) from None
    except (OSError, SQLAlchemyError) as exc:
        typer.echo(f"error: cannot use the database: {_one_line(exc)}", err=True)
        raise typer.Exit(2) from None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = "DESTEK_" + "_".join(str(p) for p in error.get("loc", ())).upper()
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _settings(**overrides: Any) -> Settings:
    """The settings of this run: DESTEK_* variables, then the command's options, resolved once."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given).resolved()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def safe_url(url: str) -> str:
    """The database URL with its password hidden, fit for a console."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path)
    return None


async def _check_migrated(settings: Settings) -> None:
    """Refuse to go on with a database that is not at the schema this version needs."""
    from destek.migrate import current_revision, head_revision

    url = settings.database_url
    sqlite = _sqlite_path(url)
    if sqlite is not None and not sqlite.exists():
        # Checking would create an empty file; there is nothing there to serve.
        fail(f"{NOT_MIGRATED} (no database file at {sqlite})", 2)
    await _probe(url)
    current = await current_revision(url)
    head = await asyncio.to_thread(head_revision)
    if current is None:
        fail(f"{NOT_MIGRATED} ({safe_url(url)} has no Destek schema)", 2)
    if current != head:
        fail(f"{NOT_MIGRATED} (the database is at revision {current}, this version needs {head})", 2)


async def _probe(url: str) -> None:
    """Connect once, so that a wrong address, role or database name is reported as what it is
    (current_revision would take it for an unmigrated database)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _migrate(settings: Settings) -> str:
    from destek.migrate import current_revision, upgrade

    upgrade(settings.database_url)
    revision = _run(current_revision(settings.database_url))
    return revision or "?"


@contextlib.asynccontextmanager
async def _started(settings: Settings) -> AsyncIterator[AppState]:
    from destek.app import build_state, running

    # A one-shot command (demo data, an admin, a token): no consumers, so it never takes their leases.
    async with running(build_state(settings.model_copy(update={"run_consumers": False}))) as state:
        yield state


# --- migrate ----------------------------------------------------------------------------------------


@app.command()
def migrate() -> None:
    """Apply the database migrations (creates the SQLite file when needed)."""
    with _reported():
        settings = _settings()
        revision = _migrate(settings)
        typer.echo(f"database {safe_url(settings.database_url)} is at revision {revision} (latest)")


# --- serve ------------------------------------------------------------------------------------------

HostOpt = Annotated[str | None, typer.Option("--host", help="Address to listen on [default: DESTEK_HOST]")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port to listen on [default: DESTEK_PORT]")]
ForwardedOpt = Annotated[
    str | None,
    typer.Option(
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses whose X-Forwarded-* headers are trusted "
        "[default: $FORWARDED_ALLOW_IPS or 127.0.0.1]",
    ),
]


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling `on_started` once the socket listens (and only if it does)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_started is not None:
            self.on_started()


def _server(
    settings: Settings, *, forwarded_allow_ips: str | None, on_started: Callable[[], None] | None = None
) -> _AnnouncingServer:
    from destek.app import create_app
    from destek.http_server import LimitedHttpToolsProtocol

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        # httptools with a limit on request heads (431); h11's own limit is the same setting.
        http=LimitedHttpToolsProtocol,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="info",
        lifespan="on",
        # Chat frames are small JSON; per-message deflate would hold a compressor and a
        # decompressor per socket (most of an idle socket's memory) to save a few bytes.
        ws_per_message_deflate=settings.ws_compression,
    )
    return _AnnouncingServer(config, on_started)


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, forwarded_allow_ips: ForwardedOpt = None) -> None:
    """Serve the HTTP APIs and the websockets. The database must be migrated first.

    One process; to use more cores or machines, run several `destek serve` sharing PostgreSQL and
    Redis behind a load balancer, and perhaps `destek worker` for the bot (docs/deploy.md).
    """
    with _reported():
        settings = _settings(host=host, port=port)
        _run(_check_migrated(settings))
        server = _server(settings, forwarded_allow_ips=forwarded_allow_ips)
    server.run()


# --- worker -----------------------------------------------------------------------------------------


def _log_to_stderr() -> None:
    """Destek's own info lines (and everyone's warnings) on stderr, with a time: a worker has no
    uvicorn to set up logging."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("destek").setLevel(logging.INFO)


async def _work(settings: Settings) -> None:
    """Run the consumers until SIGTERM or SIGINT, then stop them (a round in progress finishes)."""
    from destek.app import build_state, running

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        await _check_migrated(settings)
        _log_to_stderr()
        try:
            async with running(build_state(settings), web=False) as state:
                assert state.consumers is not None
                names = ", ".join(state.consumers.runners)
                log.info("worker ready: consumers %s", names)
                if not settings.redis_url:
                    log.warning(
                        "no DESTEK_REDIS_URL: the web nodes and this worker see each other's events only "
                        "every DESTEK_CATCHUP_SECONDS (%ss); give them one Redis for replies without delay",
                        settings.catchup_seconds,
                    )
                await stop.wait()
                log.info("worker stopping: letting the consumers finish their round")
        except RedisError as exc:
            fail(f"cannot use Redis at {safe_url(settings.redis_url or '')}: {_one_line(exc)}", 2)
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    log.info("worker stopped")


@app.command()
def worker() -> None:
    """Run the bot and the other event consumers, with no HTTP server. Needs a migrated database.

    Runs until SIGTERM or Ctrl+C, then lets a round in progress finish. For several nodes: `destek serve`
    with DESTEK_RUN_CONSUMERS=false behind the load balancer, plus one or more workers sharing PostgreSQL
    and Redis (docs/deploy.md). A worker runs the consumers whatever DESTEK_RUN_CONSUMERS says.
    """
    with _reported():
        settings = _settings(run_consumers=True)
        _run(_work(settings))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"destek {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version")
    ] = False,
) -> None:
    """Destek: self-hostable customer support."""


# Sub-commands of other areas, registered last: they use the helpers above.
from destek import demo_cli as _demo_cli  # noqa: E402
from destek.accounts import cli as _accounts_cli  # noqa: E402
from destek.helpcenter.cli import app as _helpcenter_app  # noqa: E402

app.command()(_demo_cli.demo)
app.command("create-admin")(_accounts_cli.create_admin)
app.command("create-token")(_accounts_cli.create_token)
app.command("reset-password")(_accounts_cli.reset_password)
app.command("rotate-secrets")(_accounts_cli.rotate_secrets)
app.add_typer(_helpcenter_app, name="helpcenter")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
