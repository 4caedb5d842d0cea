"""Import and export: one Markdown file per translation, with YAML front matter.

    ---
    key: password-reset          # links the translations of one article (also its export file name)
    locale: tr
    title: Şifremi unuttum
    category: account            # a category key; categories.yaml gives names (made if unknown)
    slug: sifremi-unuttum        # optional
    status: published            # or draft (the default)
    summary: ...                 # optional
    position: 1                  # optional
    questions:                   # optional: questions customers ask that it answers
      - sifremi unuttum
      - giriş yapamıyorum
    ---
    Markdown body...

An import is all or nothing: every file is parsed and validated before anything is written, and the
writes share one transaction. A key already in the account updates that article.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import frontmatter
import yaml  # type: ignore[import-untyped]
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor
from destek.errors import Invalid
from destek.helpcenter import categories as category_service
from destek.helpcenter import service
from destek.helpcenter.schemas import (
    KEY_PATTERN,
    ArticleCreate,
    ArticleUpdate,
    CategoryIn,
    CategoryUpdate,
    ImportReport,
    TranslationIn,
    normalize_locale,
)

CATEGORIES_FILE = "categories.yaml"
CATEGORY_FILES = ("categories.yaml", "categories.yml")
MAX_UNZIPPED = 50 * 1024 * 1024
FIELDS = {"key", "locale", "title", "category", "slug", "status", "summary", "position", "questions"}


@dataclass
class Document:
    source: str  # the file name, for messages
    key: str
    locale: str
    translation: TranslationIn
    category: str | None
    position: int | None


@dataclass
class Bundle:
    documents: list[Document] = field(default_factory=list)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {names, position}


def _bad(source: str, problem: str) -> Invalid:
    return Invalid(f"{source}: {problem}", field="file")


def parse_document(source: str, text: str) -> Document:
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise _bad(source, f"the front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    meta = post.metadata
    if not meta:
        raise _bad(source, "no front matter: start the file with --- , then title: and locale:, then ---")
    unknown = sorted(set(meta) - FIELDS)
    if unknown:
        raise _bad(source, f"unknown front-matter field {unknown[0]!r} (known: {', '.join(sorted(FIELDS))})")
    stem = PurePosixPath(source).name.split(".")[0]
    key = str(meta.get("key") or stem)
    if not re.match(KEY_PATTERN, key):
        raise _bad(source, f"key {key!r} may only have letters, digits, '-', '_' and '.'")
    if not meta.get("locale"):
        raise _bad(source, "the front matter needs a locale (e.g. locale: en)")
    try:
        locale = normalize_locale(str(meta["locale"]))
    except ValueError as exc:
        raise _bad(source, f"locale: {exc}") from None
    questions = meta.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str | int | float) for q in questions):
        raise _bad(source, "questions must be a list of questions, one per line: - how do I ...")
    try:
        translation = TranslationIn(
            questions=[str(q) for q in questions],
            title=str(meta.get("title") or ""),
            body=post.content,
            summary=str(meta.get("summary") or ""),
            slug=meta.get("slug"),
            status=meta.get("status") or "draft",
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "file"
        raise _bad(source, f"{where}: {error['msg']}") from None
    position = meta.get("position")
    if position is not None and not isinstance(position, int):
        raise _bad(source, "position must be a whole number")
    category = meta.get("category")
    return Document(source, key, locale, translation, str(category) if category else None, position)


def parse_categories(source: str, text: str) -> dict[str, dict[str, Any]]:
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise _bad(source, f"not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, list):
        raise _bad(source, "expected a list of categories: - key: payment / names: {en: Payment}")
    found: dict[str, dict[str, Any]] = {}
    for item in data:
        if not isinstance(item, dict) or "key" not in item or not isinstance(item.get("names"), dict):
            raise _bad(source, "each category needs key: and names: {locale: name}")
        try:
            checked = CategoryIn(
                key=str(item["key"]),
                names=item["names"],
                descriptions=item.get("descriptions") or {},
                position=item.get("position", 0),
            )
        except ValidationError as exc:
            raise _bad(source, f"category {item['key']!r}: {exc.errors()[0]['msg']}") from None
        found[str(item["key"])] = checked.model_dump()
    return found


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(source, "not UTF-8 text") from None


def parse_uploads(files: list[tuple[str, bytes]]) -> Bundle:
    """Markdown files, categories.yaml and zips of them, checked; Invalid names the first bad file."""
    bundle = Bundle()
    flat: list[tuple[str, bytes]] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise _bad(name, "not a zip file") from None
            members = [info for info in archive.infolist() if not info.is_dir()]
            if sum(info.file_size for info in members) > MAX_UNZIPPED:
                raise _bad(name, "the zip holds more than 50 MiB")
            flat.extend((f"{name}/{info.filename}", archive.read(info)) for info in members)
        else:
            flat.append((name, data))
    for name, data in flat:
        base = PurePosixPath(name).name
        if base.startswith(".") or "__MACOSX" in name:
            continue
        if base.lower() in CATEGORY_FILES:
            bundle.categories.update(parse_categories(name, _decode(name, data)))
        elif base.lower().endswith((".md", ".markdown")):
            bundle.documents.append(parse_document(name, _decode(name, data)))
        else:
            raise _bad(name, "expected Markdown files (.md), categories.yaml or a .zip of them")
    if not bundle.documents and not bundle.categories:
        raise Invalid("no Markdown files found", field="file")
    seen: dict[tuple[str, str], str] = {}
    for document in bundle.documents:
        pair = (document.key, document.locale)
        if pair in seen:
            raise _bad(document.source, f"{seen[pair]} is also key {pair[0]!r} in {pair[1]!r}")
        seen[pair] = document.source
    return bundle


async def import_documents(session: AsyncSession, *, actor: Actor, documents: Bundle) -> ImportReport:
    created = updated = 0
    categories: dict[str, int] = {}
    for key, data in documents.categories.items():
        existing = await category_service.category_by_key(session, account_id=actor.account_id, key=key)
        if existing is None:
            made = await category_service.create_category(
                session, actor=actor, data=CategoryIn.model_validate(data)
            )
            categories[key] = made.id
        else:
            await category_service.update_category(
                session,
                actor=actor,
                category=existing,
                data=CategoryUpdate(
                    names=data["names"], descriptions=data["descriptions"], position=data["position"]
                ),
            )
            categories[key] = existing.id
    grouped: dict[str, list[Document]] = {}
    for document in documents.documents:
        grouped.setdefault(document.key, []).append(document)
    for key, group in grouped.items():
        category_id: int | None = None
        category_key = next((d.category for d in group if d.category), None)
        if category_key is not None:
            if category_key not in categories:
                found = await category_service.category_by_key(
                    session, account_id=actor.account_id, key=category_key
                )
                if found is None:
                    name = category_key.replace("-", " ").replace("_", " ").capitalize()
                    found = await category_service.create_category(
                        session, actor=actor, data=CategoryIn(key=category_key, names={group[0].locale: name})
                    )
                categories[category_key] = found.id
            category_id = categories[category_key]
        position = next((d.position for d in group if d.position is not None), None)
        article = await service.article_by_key(session, account_id=actor.account_id, key=key)
        if article is None:
            await service.create_article(
                session,
                actor=actor,
                data=ArticleCreate(
                    key=key,
                    category_id=category_id,
                    position=position or 0,
                    translations={d.locale: d.translation for d in group},
                ),
            )
            created += 1
            continue
        changes: dict[str, Any] = {}
        if category_key is not None:
            changes["category_id"] = category_id
        if position is not None:
            changes["position"] = position
        if changes:
            await service.update_article(session, actor=actor, article=article, data=ArticleUpdate(**changes))
        for document in group:
            await service.put_translation(
                session, actor=actor, article=article, locale=document.locale, data=document.translation
            )
        updated += 1
    return ImportReport(created=created, updated=updated, articles=sorted(grouped))


def _dump(meta: dict[str, Any], body: str) -> str:
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{head}\n---\n\n{body.strip()}\n"


async def export_files(session: AsyncSession, *, account_id: int) -> dict[str, str]:
    """{file name: text}: categories.yaml and one <key>.<locale>.md per translation."""
    files: dict[str, str] = {}
    categories = await category_service.list_categories(session, account_id=account_id)
    keys = {category.id: category.key for category, _count in categories}
    if categories:
        listing = [
            {
                "key": category.key,
                "names": dict(category.names),
                "descriptions": dict(category.descriptions),
                "position": category.position,
            }
            for category, _count in categories
        ]
        files[CATEGORIES_FILE] = yaml.safe_dump(listing, allow_unicode=True, sort_keys=False)
    for article, translations in await service.list_articles(session, account_id=account_id):
        for translation in translations:
            meta: dict[str, Any] = {
                "key": article.key,
                "locale": translation.locale,
                "title": translation.title,
            }
            if article.category_id is not None:
                meta["category"] = keys[article.category_id]
            meta["slug"] = translation.slug
            meta["status"] = translation.status
            if translation.summary:
                meta["summary"] = translation.summary
            meta["position"] = article.position
            if translation.questions:
                meta["questions"] = list(translation.questions)
            files[f"{article.key}.{translation.locale}.md"] = _dump(meta, translation.body)
    return files


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()
