"""The full-text index of translations: SQLite FTS5 or a PostgreSQL tsvector with a GIN index.

Both sides are folded with destek.nlp.text.fold (lowercase, Turkish I/İ/ı, no diacritics), so
"sifremi unuttum" finds "Şifremi unuttum". Queries OR their words and match longer words by prefix
(a light stemmer for Turkish suffixes and English plurals: "sifremi" matches "sifre", "sifremi" and
"sifrenizi" through "sifre*"); BM25 (SQLite) or ts_rank_cd (PostgreSQL) orders the matches, with the
title weighted above the body. The index holds every translation; the query keeps published ones.

Tenancy is part of the match: on SQLite each row's indexed `tenant` column holds one token per
account ("a42", migration 0007) that the query ANDs in, so FTS5 walks only that account's rows
instead of ranking every account's matches and filtering afterwards; on PostgreSQL account_id is an
indexed column of hc_fts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from destek.nlp.text import fold, words

MAX_TERMS = 12


def tenant_token(account_id: int) -> str:
    """The account's token in SQLite's hc_fts.tenant column."""
    return f"a{int(account_id)}"


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def stem(word: str) -> str:
    """A prefix that ignores the common suffix of a word: long words lose up to two letters."""
    if len(word) >= 7:
        return word[:-2]
    if len(word) >= 5:
        return word[:-1]
    return word


# Words that match nearly every article in English or Turkish (folded): dropped from queries that
# have other words, so they neither widen the match nor cost time.
_STOP = (
    "a an and are as at be can could did do does for from have how i if in is it me my no not of on or "
    "please the this to was what when where why will with would you your hi hello "
    "ama bir bu cok da de daha en gibi hi icin ile ki lutfen merhaba mi mu ne neden nasil o olarak sen "
    "siz su ve ya ben benim yok var "
    # Question fillers ("what should I do", "I can't"): they say how, not what about.
    "should can cant cannot yapmaliyim yapmam yapabilirim yapacagim gerekiyor gerek lazim acaba"
)
STOP_WORDS = frozenset(_STOP.split())


def terms(query: str) -> list[str]:
    """FTS terms of a query: stems of its words, without stop words (unless nothing else is left).
    A term ending in "*" is a prefix (words of five letters or more), the others match whole words."""
    found: list[str] = []
    all_words = [word for word in words(query) if len(word) >= 2 or word.isdigit()]
    kept = [word for word in all_words if word not in STOP_WORDS] or all_words
    for word in kept:
        term = f"{stem(word)}*" if len(word) >= 5 else word
        if term not in found:
            found.append(term)
    return found[:MAX_TERMS]


async def upsert(
    session: AsyncSession, *, translation_id: int, account_id: int, title: str, body: str
) -> None:
    title_folded, body_folded = fold(title), fold(body)
    if _dialect(session) == "sqlite":
        await session.execute(text("DELETE FROM hc_fts WHERE rowid = :id"), {"id": translation_id})
        await session.execute(
            text("INSERT INTO hc_fts (rowid, title, body, tenant) VALUES (:id, :title, :body, :tenant)"),
            {
                "id": translation_id,
                "title": title_folded,
                "body": body_folded,
                "tenant": tenant_token(account_id),
            },
        )
    else:
        await session.execute(
            text(
                "INSERT INTO hc_fts (translation_id, account_id, document) VALUES (:id, :account,"
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :body), 'B'))"
                " ON CONFLICT (translation_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            {"id": translation_id, "title": title_folded, "body": body_folded, "account": account_id},
        )


async def remove(session: AsyncSession, *, translation_ids: list[int]) -> None:
    if not translation_ids:
        return
    column = "rowid" if _dialect(session) == "sqlite" else "translation_id"
    params = {f"t{i}": value for i, value in enumerate(translation_ids)}
    placeholders = ", ".join(f":{name}" for name in params)
    await session.execute(text(f"DELETE FROM hc_fts WHERE {column} IN ({placeholders})"), params)  # noqa: S608


@dataclass(frozen=True, slots=True)
class FullTextHit:
    translation_id: int
    rank: float  # higher is better, on either backend


async def search(
    session: AsyncSession, *, account_id: int, query: str, locale: str | None, limit: int
) -> list[FullTextHit]:
    """Published translations matching any word of the query, best first."""
    found = terms(query)
    if not found:
        return []
    params: dict[str, object] = {"account": account_id, "limit": limit, "locale": locale}
    if _dialect(session) == "sqlite":
        # FTS5: each term quoted (no operators from user text), prefix-matched, in the title or the
        # body, ANDed with the account's tenant token; title counts 3x, the tenant column nothing.
        words_match = " OR ".join(f'"{term[:-1]}"*' if term.endswith("*") else f'"{term}"' for term in found)
        params["match"] = f'tenant : "{tenant_token(account_id)}" AND {{title body}} : ({words_match})'
        sql = (
            "SELECT t.id, bm25(hc_fts, 3.0, 1.0, 0.0) AS score"
            " FROM hc_fts JOIN hc_translations t ON t.id = hc_fts.rowid"
            " WHERE hc_fts MATCH :match AND t.account_id = :account"
            " AND t.status = 'published' AND (:locale IS NULL OR t.locale = :locale)"
            " ORDER BY score LIMIT :limit"
        )
        rows = (await session.execute(text(sql), params)).all()
        return [FullTextHit(int(row[0]), -float(row[1])) for row in rows]
    params["match"] = " | ".join(f"{term[:-1]}:*" if term.endswith("*") else term for term in found)
    sql = (
        "SELECT t.id, ts_rank_cd(f.document, q, 1) AS score"
        " FROM hc_fts f JOIN hc_translations t ON t.id = f.translation_id,"
        " to_tsquery('simple', :match) q"
        " WHERE f.document @@ q AND f.account_id = :account AND t.account_id = :account"
        " AND t.status = 'published'"
        " AND (CAST(:locale AS VARCHAR) IS NULL OR t.locale = CAST(:locale AS VARCHAR))"
        " ORDER BY score DESC, t.id LIMIT :limit"
    )
    rows = (await session.execute(text(sql), params)).all()
    return [FullTextHit(int(row[0]), float(row[1])) for row in rows]
