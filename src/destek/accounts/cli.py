"""Operators' commands for people and their secrets: `destek create-admin` (the first owner),
`destek create-token` (an API token for scripts), `destek reset-password` (a person locked out, with
shell access to the server) and `destek rotate-secrets` (after the secret key changed)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek import cli
from destek.accounts import credentials
from destek.accounts import second_factor as second_factors
from destek.accounts.models import Account
from destek.config import Settings


async def _pick_account(
    session: AsyncSession, *, account_id: int | None, account_name: str | None
) -> tuple[Account, bool]:
    """The account to add an owner to, and whether it was just created."""
    from destek.accounts import service as accounts

    if account_id is not None:
        return await accounts.get_account(session, account_id=account_id), False
    query = select(Account).order_by(Account.id).limit(1)
    if account_name is not None:
        query = query.where(Account.name == account_name.strip())
    found = await session.scalar(query)
    if found is not None:
        return found, False
    return await accounts.create_account(session, name=account_name or "Destek"), True


async def _create_admin(
    settings: Settings,
    *,
    email: str,
    name: str,
    password: str,
    account_id: int | None,
    account_name: str | None,
) -> tuple[int, str, bool, int]:
    from destek.accounts import service as accounts

    await cli._check_migrated(settings)
    async with cli._started(settings) as state, state.uow() as session:
        if await credentials.get_user_by_email(session, email=email) is not None:
            cli.fail(
                f"a user with e-mail {credentials.normalize_email(email)} already exists; nothing was created"
            )
        account, created_account = await _pick_account(
            session, account_id=account_id, account_name=account_name
        )
        user = await credentials.create_user(session, email=email, name=name, password=password)
        await accounts.add_member(session, account_id=account.id, user_id=user.id, role="owner")
        return account.id, account.name, created_account, user.id


def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's e-mail (their login)")],
    name: Annotated[str, typer.Option(help="The administrator's name")],
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters"),
    ],
    account_name: Annotated[
        str | None,
        typer.Option(help="Use the account of this name, creating it if there is none"),
    ] = None,
    account_id: Annotated[int | None, typer.Option(help="Use this existing account")] = None,
) -> None:
    """Create an owner of an account. Without --account-id or --account-name: the first account, or a
    new one named "Destek" when there is none."""
    with cli._reported():
        if account_id is not None and account_name is not None:
            cli.fail("give --account-id or --account-name, not both")
        settings = cli._settings()
        acc_id, acc_name, created, user_id = cli._run(
            _create_admin(
                settings,
                email=email,
                name=name,
                password=password,
                account_id=account_id,
                account_name=account_name,
            )
        )
        made = "created account" if created else "account"
        typer.echo(f"{made} {acc_id} ({acc_name}): owner {email.strip().lower()} is user {user_id}")
        typer.echo(f"next: destek create-token --email {email.strip().lower()} --account-id {acc_id}")


async def _create_token(settings: Settings, *, email: str, account_id: int | None, name: str) -> str:
    from destek.accounts import service as accounts

    await cli._check_migrated(settings)
    async with cli._started(settings) as state, state.uow() as session:
        user = await credentials.get_user_by_email(session, email=email)
        if user is None:
            cli.fail(f"no user with e-mail {credentials.normalize_email(email)}")
        member_of = [a.id for _m, a in await accounts.memberships_of(session, user_id=user.id)]
        if account_id is None:
            if len(member_of) != 1:
                listed = ", ".join(map(str, member_of)) or "none"
                cli.fail(f"{user.email} belongs to several accounts or none ({listed}): give --account-id")
            account_id = member_of[0]
        elif account_id not in member_of:
            listed = ", ".join(map(str, member_of)) or "none"
            cli.fail(f"{user.email} is not an active member of account {account_id} (member of: {listed})")
        _token, plaintext = await credentials.create_api_token(
            session, account_id=account_id, user_id=user.id, name=name
        )
        return plaintext


def create_token(
    email: Annotated[str, typer.Option(help="The user the token acts as")],
    account_id: Annotated[
        int | None, typer.Option(help="The account it acts in [default: the user's only account]")
    ] = None,
    name: Annotated[str, typer.Option(help="A name to recognise the token by")] = "cli",
) -> None:
    """Print a new API token (Authorization: Bearer ...). Only the token goes to stdout."""
    with cli._reported():
        settings = cli._settings()
        token = cli._run(_create_token(settings, email=email, account_id=account_id, name=name))
        typer.echo(token)


async def _reset(
    settings: Settings, *, email: str, password: str | None, turn_off_second_factor: bool
) -> tuple[str | None, bool]:
    from destek.accounts import service as accounts

    await cli._check_migrated(settings)
    async with cli._started(settings) as state, state.uow() as session:
        found = await credentials.get_user_by_email(session, email=email)
        if found is None:
            cli.fail(f"no user with e-mail {credentials.normalize_email(email)}; nothing was changed")
        user = await accounts.get_user(session, user_id=found.id)
        chosen = await credentials.reset_password(session, user=user, password=password)
        turned_off = False
        if turn_off_second_factor and user.has_second_factor:
            await second_factors.remove(session, user=user)
            turned_off = True
        return chosen, turned_off


def reset_password(
    email: Annotated[str, typer.Option(help="The person's login e-mail")],
    one_time: Annotated[
        bool,
        typer.Option(
            "--one-time",
            help="Print a one-time password the person must replace at their next login, instead of "
            "asking for a new password",
        ),
    ] = False,
    turn_off_second_factor: Annotated[
        bool, typer.Option(help="Also turn off their second factor (they lost the phone and the codes)")
    ] = False,
) -> None:
    """Set a person's password (they are locked out and cannot change it themselves). Every session
    and API token of theirs ends."""
    with cli._reported():
        password: str | None = None
        if not one_time:
            password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
            credentials.check_password(password)
        chosen, turned_off = cli._run(
            _reset(
                cli._settings(), email=email, password=password, turn_off_second_factor=turn_off_second_factor
            )
        )
        who = credentials.normalize_email(email)
        if chosen is not None:
            typer.echo(f"one-time password for {who}: {chosen}")
            typer.echo("they must choose their own when they log in with it")
        else:
            typer.echo(f"new password set for {who}")
        typer.echo("their sessions and API tokens were ended")
        if turned_off:
            typer.echo("their second factor was turned off")


async def _rotate(settings: Settings) -> dict[str, int]:
    from destek.sealed import reseal_all

    await cli._check_migrated(settings)
    async with cli._started(settings) as state, state.uow() as session:
        return await reseal_all(session, sealer=state.sealer)


def rotate_secrets() -> None:
    """Seal every stored secret (second factors, channel credentials) again under the current
    DESTEK_SECRET_KEY. Run it after changing the key, with the previous one in DESTEK_OLD_SECRET_KEYS;
    then the old key can be dropped."""
    from destek.lib.sealing import Unsealable

    with cli._reported():
        try:
            counts = cli._run(_rotate(cli._settings()))
        except Unsealable as exc:
            cli.fail(f"{exc}; nothing was changed", code=2)
        for what, count in counts.items():
            typer.echo(f"{what}: {count} sealed again")
