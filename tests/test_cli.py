"""The `destek` command, run as an operator would: on a fresh database of each backend."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from destek.cli import app
from destek.migrate import head_revision
from tests.support.databases import _admin, _with_database, postgres_url, run_sync
from tests.support.server import free_port


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, never migrated database: a SQLite path that does not exist yet, or a throwaway
    PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'destek.db'}"
        return
    admin = postgres_url()
    if admin is None:
        if os.environ.get("DESTEK_REQUIRE_SERVICES") == "1":
            pytest.fail("PostgreSQL is required (DESTEK_REQUIRE_SERVICES=1) but does not answer")
        pytest.skip("PostgreSQL is not available")
    name = f"destek_cli_{uuid.uuid4().hex[:12]}"
    run_sync(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(admin, name)
    finally:
        run_sync(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def env(fresh_url: str, tmp_path: Path) -> dict[str, str]:
    return {"DESTEK_DATABASE_URL": fresh_url, "DESTEK_DATA_DIR": str(tmp_path / "data")}


def destek(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


def scalar(url: str, sql: str) -> object:
    return run_sync(_scalar(url, sql))


def test_migrate_creates_the_schema_and_prints_the_revision(env: dict[str, str], fresh_url: str) -> None:
    code, out, err = destek(env, "migrate")
    assert code == 0, err
    head = head_revision()
    assert f"revision {head}" in out
    assert scalar(fresh_url, "SELECT version_num FROM alembic_version") == head
    # A second run is a no-op.
    code, out, _err = destek(env, "migrate")
    assert code == 0
    assert f"revision {head}" in out


def test_serve_refuses_an_unmigrated_database(env: dict[str, str], fresh_url: str) -> None:
    code, out, err = destek(env, "serve", "--port", str(free_port()))
    assert code == 2
    assert "database is not migrated: run `destek migrate`" in err
    assert "Traceback" not in err + out
    if fresh_url.startswith("sqlite"):
        assert not Path(fresh_url.split(":///", 1)[1]).exists(), "checking must not create a database file"


def test_serve_refuses_an_outdated_database(env: dict[str, str], fresh_url: str) -> None:
    assert destek(env, "migrate")[0] == 0
    run_sync(_execute(fresh_url, "UPDATE alembic_version SET version_num = '0000_older'"))
    code, _out, err = destek(env, "serve")
    assert code == 2
    assert "database is not migrated: run `destek migrate`" in err
    assert "0000_older" in err and head_revision() in err


def test_serve_says_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    """A wrong address is not reported as an unmigrated database."""
    env = {
        "DESTEK_DATABASE_URL": "postgresql+asyncpg://destek:pw@127.0.0.1:1/destek",  # nothing listens
        "DESTEK_DATA_DIR": str(tmp_path),
    }
    code, out, err = destek(env, "serve")
    assert code == 2
    assert err.startswith("error: cannot use the database:"), err
    assert "not migrated" not in err and "Traceback" not in err + out


async def _execute(url: str, sql: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def test_create_admin_then_create_token(env: dict[str, str], fresh_url: str) -> None:
    assert destek(env, "migrate")[0] == 0
    code, out, err = destek(
        env, "create-admin", "--email", "Boss@Example.com", "--name", "Boss", "--password", "s3cret-pass"
    )
    assert code == 0, err
    assert "created account 1 (Destek)" in out
    assert "boss@example.com" in out

    code, out, err = destek(env, "create-token", "--email", "boss@example.com", "--account-id", "1")
    assert code == 0, err
    token = out.strip()
    assert re.fullmatch(r"dtk_[\w-]+", token), out
    assert scalar(fresh_url, "SELECT count(*) FROM api_tokens WHERE name = 'cli'") == 1

    # A second admin goes into the existing account, not a new one.
    code, out, err = destek(
        env, "create-admin", "--email", "two@example.com", "--name", "Two", "--password", "x" * 8
    )
    assert code == 0, err
    assert "account 1 (Destek)" in out and "created account" not in out
    assert scalar(fresh_url, "SELECT count(*) FROM accounts") == 1

    # --account-name makes another account; the user's token must then name its account.
    three = ["--email", "three@example.com", "--name", "Three", "--password", "x" * 8]
    code, out, err = destek(env, "create-admin", *three, "--account-name", "Second Co")
    assert code == 0, err
    assert "created account 2 (Second Co)" in out
    code, _out, err = destek(env, "create-token", "--email", "three@example.com", "--account-id", "1")
    assert code == 1
    assert "not an active member of account 1" in err


def test_create_admin_refuses_a_duplicate_email(env: dict[str, str], fresh_url: str) -> None:
    assert destek(env, "migrate")[0] == 0
    args = ["create-admin", "--email", "boss@example.com", "--name", "Boss", "--password", "s3cret-pass"]
    assert destek(env, *args)[0] == 0

    again = ["--email", " BOSS@example.com", "--name", "Again", "--password", "s3cret-pass"]
    code, out, err = destek(env, "create-admin", *again, "--account-name", "Should Not Exist")
    assert code == 1
    assert "a user with e-mail boss@example.com already exists" in err
    assert "Traceback" not in err + out
    assert scalar(fresh_url, "SELECT count(*) FROM users") == 1
    assert scalar(fresh_url, "SELECT count(*) FROM accounts") == 1
    assert scalar(fresh_url, "SELECT count(*) FROM memberships") == 1


def test_commands_explain_user_errors_without_traceback(env: dict[str, str]) -> None:
    code, _out, err = destek(env, "create-token", "--email", "nobody@example.com")
    assert code == 2
    assert "database is not migrated" in err
    assert destek(env, "migrate")[0] == 0
    code, _out, err = destek(env, "create-token", "--email", "nobody@example.com")
    assert (code, err.strip()) == (1, "error: no user with e-mail nobody@example.com")
    code, _out, err = destek(
        env, "create-admin", "--email", "a@example.com", "--name", "A", "--password", "short"
    )
    assert code == 1
    assert "at least 8 characters" in err
    code, _out, err = destek({**env, "DESTEK_PORT": "eighty"}, "migrate")
    assert code == 2
    assert "DESTEK_PORT" in err


@pytest.mark.slow
def test_demo_serves_the_demo_data_with_a_working_token(tmp_path: Path) -> None:
    """`destek demo` as `make run` starts it: a real process, a real port, the printed credentials;
    started twice on the same data directory, it loads the demo data once."""
    port = free_port()
    environ = {
        **os.environ,
        "DESTEK_DATA_DIR": str(tmp_path / "var"),
        "DESTEK_PORT": str(port),
        "DESTEK_DATABASE_URL": "",
        "DESTEK_REDIS_URL": "",
    }
    base = f"http://127.0.0.1:{port}"
    for round_ in range(2):
        log_path = tmp_path / f"demo-{round_}.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", "from destek.cli import main; main()", "demo"],
                env=environ,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
        reader.start()
        try:
            box = _read_until(lines, "/contacts", log_path)
            token = re.search(r"API token:\s+(dtk_[\w-]+)", box)
            inbox = re.search(r"Inbox token:\s+([\w-]+)", box)
            assert token and inbox, box
            assert "admin@demo.destek / destek-demo" in box
            assert httpx.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
            listed = httpx.get(
                f"{base}/api/v1/accounts/1/conversations",
                headers={"Authorization": f"Bearer {token[1]}"},
                params={"limit": 100},
                timeout=5,
            )
            assert listed.status_code == 200, listed.text
            assert len(listed.json()["items"]) == 12, (
                f"start {round_ + 1}: the demo must be loaded once"
            )  # 10 chats, 2 mails
            identified = httpx.post(
                f"{base}/api/v1/public/inboxes/{inbox[1]}/contacts",
                json={"identifier": "u-42", "name": "Deniz"},
                timeout=5,
            )
            assert identified.status_code == 201, identified.text
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            reader.join(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()
        errors = log_path.read_text()
        # Ctrl+C: uvicorn shuts down, then re-raises the signal (exit 130), without a traceback.
        assert proc.returncode in (0, 130), errors
        assert "Traceback" not in errors, errors


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


def _read_until(lines: queue.Queue[str | None], marker: str, log_path: Path, timeout: float = 60) -> str:
    """Stdout up to the line with `marker` (the demo prints its box once the socket listens)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise AssertionError(f"destek demo exited early:\n{''.join(seen)}\n{log_path.read_text()}")
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} within {timeout}s:\n{''.join(seen)}\n{log_path.read_text()}")
