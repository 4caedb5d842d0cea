"""Operators' commands for people, run as an operator would on a fresh database of each backend:
create-admin refuses an address login would refuse; reset-password; rotate-secrets."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.lib.sealing import Sealer
from tests.support.databases import run_sync
from tests.test_cli import destek, env, fresh_url, scalar  # noqa: F401 (fixtures)


async def _store(url: str, sealed: str) -> None:
    """A second factor's secret sealed under the old key, as a server with that key stored it."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE users SET totp_secret = :sealed"), {"sealed": sealed})
    finally:
        await engine.dispose()


def test_create_admin_validates_the_email_as_login_does(env: dict[str, str], fresh_url: str) -> None:  # noqa: F811
    assert destek(env, "migrate")[0] == 0
    for bad in ("admin@localhost", "admin", "admin@example"):
        code, out, err = destek(
            env, "create-admin", "--email", bad, "--name", "A", "--password", "s3cret-pass"
        )
        assert code == 1, (bad, out, err)
        assert "not a usable e-mail address" in err and "Traceback" not in err
    assert scalar(fresh_url, "SELECT count(*) FROM users") == 0
    assert scalar(fresh_url, "SELECT count(*) FROM accounts") == 0


def test_reset_password(env: dict[str, str], fresh_url: str) -> None:  # noqa: F811
    assert destek(env, "migrate")[0] == 0
    created = ["create-admin", "--email", "boss@example.com", "--name", "Boss", "--password", "s3cret-pass"]
    assert destek(env, *created)[0] == 0
    assert destek(env, "create-token", "--email", "boss@example.com")[0] == 0

    code, out, err = destek(env, "reset-password", "--email", "Boss@example.com", "--one-time")
    assert code == 0, err
    assert "one-time password for boss@example.com: " in out
    assert scalar(fresh_url, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL") == 0
    assert scalar(fresh_url, "SELECT must_change_password FROM users") in (True, 1)

    code, _out, err = destek(env, "reset-password", "--email", "nobody@example.com", "--one-time")
    assert (code, err.strip()) == (1, "error: no user with e-mail nobody@example.com; nothing was changed")


def test_rotate_secrets(env: dict[str, str], fresh_url: str) -> None:  # noqa: F811
    assert destek(env, "migrate")[0] == 0
    created = ["create-admin", "--email", "boss@example.com", "--name", "Boss", "--password", "s3cret-pass"]
    old = {**env, "DESTEK_SECRET_KEY": "last year's key"}
    assert destek(old, *created)[0] == 0
    sealed = Sealer(b"last year's key").seal("JBSWY3DPEHPK3PXP", purpose="totp-secret")
    run_sync(_store(fresh_url, sealed))

    new = {**env, "DESTEK_SECRET_KEY": "this year's key"}
    code, _out, err = destek(new, "rotate-secrets")
    assert code == 2 and "DESTEK_OLD_SECRET_KEYS" in err and "nothing was changed" in err
    assert scalar(fresh_url, "SELECT totp_secret FROM users") == sealed

    code, out, err = destek(
        {**new, "DESTEK_OLD_SECRET_KEYS": json.dumps(["last year's key"])}, "rotate-secrets"
    )
    assert code == 0, err
    assert "second factors (users.totp_secret): 1 sealed again" in out
    resealed = scalar(fresh_url, "SELECT totp_secret FROM users")
    assert isinstance(resealed, str) and resealed != sealed
    assert Sealer(b"this year's key").open(resealed, purpose="totp-secret") == "JBSWY3DPEHPK3PXP"
