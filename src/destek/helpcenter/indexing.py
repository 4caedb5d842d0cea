"""What semantic search reads of an article: its chunks (title with summary, then each section) and
their vectors, written with the translation when it is published."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from destek.helpcenter import render
from destek.helpcenter.embedding import embed, embedder, vector_bytes
from destek.helpcenter.models import Embedding, Translation
from destek.helpcenter.schemas import TranslationIn

MAX_SECTIONS = 8
CHUNK_CHARS = 600


def chunks(*, title: str, summary: str, body: str, questions: Sequence[str] = ()) -> list[str]:
    """What semantic search embeds: the title with the summary (or the opening), then each section,
    then each example question."""
    parts = render.sections(body)
    opening = summary or (parts[0].text if parts else "")
    found = [f"{title.strip()}. {render.excerpt(opening, 300)}".strip()]
    for part in parts[:MAX_SECTIONS]:
        if part.heading:
            found.append(f"{part.heading}. {render.excerpt(part.text, CHUNK_CHARS)}".strip())
    found.extend(questions)
    return found


def prepare_embeddings(translations: Sequence[TranslationIn]) -> None:
    """Embed the published ones now, so the writing transaction finds the vectors ready. Call it in a
    thread before opening the unit of work: on SQLite a writer holds the database's write lock."""
    texts = [
        text
        for data in translations
        if data.status == "published"
        for text in chunks(title=data.title, summary=data.summary, body=data.body, questions=data.questions)
    ]
    if texts:
        embed(texts)


def prepare_texts(texts: Sequence[str]) -> None:
    """Embed texts now (blocking: in a thread), so a writing transaction finds the vectors ready."""
    if texts:
        embed(list(texts))


async def index_translation(session: AsyncSession, translation: Translation) -> None:
    await session.execute(delete(Embedding).where(Embedding.translation_id == translation.id))
    if translation.status != "published":
        return
    model = embedder()
    texts = chunks(
        title=translation.title,
        summary=translation.summary,
        body=translation.body,
        questions=translation.questions or [],
    )
    vectors = embed(texts)
    session.add_all(
        Embedding(
            account_id=translation.account_id,
            translation_id=translation.id,
            chunk=i,
            text=text,
            model=model.name,
            vector=vector_bytes(vector),
        )
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True))
    )
    await session.flush()
