"""Evaluation corpora of the bot: help centers of different businesses, each with the questions its
customers send, labelled (eval/centers/<name>/: categories.yaml, <key>.<locale>.md articles in the
help center's import format, questions.jsonl). Loaded here for `python -m destek.bot.evaluate`; the
files stay outside the package."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from destek.helpcenter import transfer

Kind = Literal["answerable", "out_of_scope", "human"]
DEFAULT_ROOT = Path(__file__).resolve().parents[3] / "eval" / "centers"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    lang: str
    style: str
    kind: Kind
    article: str | None  # the key of the article that answers it
    urgent: bool
    sentiment: str  # negative | neutral | positive
    angry: bool


@dataclass(frozen=True, slots=True)
class Center:
    name: str
    bundle: transfer.Bundle
    questions: tuple[Question, ...]


def load_center(directory: Path) -> Center:
    files = sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and (path.suffix == ".md" or path.name in transfer.CATEGORY_FILES)
    )
    bundle = transfer.parse_uploads([(str(p.relative_to(directory)), p.read_bytes()) for p in files])
    keys = {document.key for document in bundle.documents}
    questions = []
    for number, line in enumerate(
        (directory / "questions.jsonl").read_text(encoding="utf-8").splitlines(), 1
    ):
        if not line.strip():
            continue
        item = json.loads(line)
        question = Question(
            id=str(item["id"]),
            text=str(item["text"]),
            lang=str(item["lang"]),
            style=str(item.get("style", "")),
            kind=item["kind"],
            article=item.get("article"),
            urgent=bool(item.get("urgent", False)),
            sentiment=str(item.get("sentiment", "neutral")),
            angry=bool(item.get("angry", False)),
        )
        if question.kind not in ("answerable", "out_of_scope", "human"):
            raise ValueError(f"{directory.name}/questions.jsonl:{number}: unknown kind {question.kind!r}")
        if (question.kind == "answerable") != (question.article is not None) or (
            question.article is not None and question.article not in keys
        ):
            raise ValueError(f"{directory.name}/questions.jsonl:{number}: article {question.article!r}")
        questions.append(question)
    return Center(directory.name, bundle, tuple(questions))


def load_centers(root: Path = DEFAULT_ROOT, only: list[str] | None = None) -> list[Center]:
    names = sorted(p.name for p in root.iterdir() if (p / "questions.jsonl").exists())
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"no center {', '.join(unknown)} in {root} (there are: {', '.join(names)})")
        names = [name for name in names if name in only]
    return [load_center(root / name) for name in names]


MERGED = "all-centers"


def merged(centers: list[Center]) -> Center:
    """Every center's articles in one help center, with every center's questions (keys and question ids
    become "<center>.<key>"): a large help center whose articles are not all about one business, for
    how sure the bot may be when it has many articles to choose from."""
    documents = [
        replace(document, key=f"{center.name}.{document.key}", category=None)
        for center in centers
        for document in center.bundle.documents
    ]
    questions = tuple(
        replace(
            question,
            id=f"{center.name}.{question.id}",
            article=f"{center.name}.{question.article}" if question.article else None,
        )
        for center in centers
        for question in center.questions
    )
    return Center(MERGED, transfer.Bundle(documents=documents), questions)


def origin(key: str) -> str:
    """The center a merged article key or question id came from."""
    return key.split(".", 1)[0]
