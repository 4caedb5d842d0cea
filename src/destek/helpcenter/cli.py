"""`destek helpcenter export DIR --account N` and `destek helpcenter import DIR --account N`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from destek import cli
from destek.accounts import service as accounts
from destek.accounts.service import Actor
from destek.config import Settings
from destek.helpcenter import indexing, transfer
from destek.helpcenter.schemas import ImportReport

app = typer.Typer(help="Help-center articles as Markdown files with YAML front matter.", no_args_is_help=True)

AccountOpt = Annotated[int, typer.Option("--account", help="The account's id")]


def operator(account_id: int) -> Actor:
    """Who acts for the command line: the operator, with an owner's rights in the account."""
    return Actor(account_id=account_id, user_id=0, role="owner", name="destek cli", inbox_ids=None)


async def _export(settings: Settings, *, account_id: int) -> dict[str, str]:
    await cli._check_migrated(settings)
    async with cli._started(settings) as state, state.read() as session:
        await accounts.get_account(session, account_id=account_id)
        return await transfer.export_files(session, account_id=account_id)


def _read(directory: Path) -> transfer.Bundle:
    """Every file checked before the database is touched: a bad one stops the import."""
    if not directory.is_dir():
        cli.fail(f"{directory} is not a directory")
    found = sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and (path.suffix in (".md", ".markdown") or path.name in transfer.CATEGORY_FILES)
    )
    if not found:
        cli.fail(f"no Markdown files (.md) in {directory}")
    return transfer.parse_uploads([(str(path.relative_to(directory)), path.read_bytes()) for path in found])


async def _import(settings: Settings, *, account_id: int, bundle: transfer.Bundle) -> ImportReport:
    await cli._check_migrated(settings)
    indexing.prepare_embeddings([document.translation for document in bundle.documents])
    async with cli._started(settings) as state, state.uow() as session:
        await accounts.get_account(session, account_id=account_id)
        return await transfer.import_documents(session, actor=operator(account_id), documents=bundle)


@app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="Where to write the files (created if missing)")],
    account: AccountOpt,
) -> None:
    """Write every article, one <key>.<locale>.md per language, and categories.yaml."""
    with cli._reported():
        files = cli._run(_export(cli._settings(), account_id=account))
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (directory / name).write_text(text, encoding="utf-8")
        count = sum(1 for name in files if name.endswith(".md"))
        typer.echo(f"exported {count} translations to {directory}")


@app.command("import")
def import_command(
    directory: Annotated[Path, typer.Argument(help="A folder of .md files (and categories.yaml)")],
    account: AccountOpt,
) -> None:
    """Create or update articles from the files; the same key updates an article. All or nothing."""
    with cli._reported():
        bundle = _read(directory)
        report = cli._run(_import(cli._settings(), account_id=account, bundle=bundle))
        typer.echo(
            f"imported {len(report.articles)} articles: {report.created} created, {report.updated} updated"
        )
