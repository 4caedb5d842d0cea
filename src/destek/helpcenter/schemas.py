"""Help-center input and output models (agent API, events, widget)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from destek.db import MAX_ID

LOCALE_PATTERN = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Status = Literal["draft", "published"]
STATUSES = ("draft", "published")


def normalize_locale(value: str) -> str:
    """BCP 47 as stored and shown in URLs: "tr", "pt-BR" (from "TR", "pt_br")."""
    if not re.match(LOCALE_PATTERN, value):
        raise ValueError("a locale is a language code such as tr, en or pt-BR")
    language, _, region = value.replace("_", "-").partition("-")
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


Locale = Annotated[str, Field(max_length=16, pattern=LOCALE_PATTERN), AfterValidator(normalize_locale)]
Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=100)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=200)]
Texts = dict[Locale, Annotated[str, Field(max_length=300)]]


# The integers of the inputs are strict: true is not 1, nor "3" 3 (what the schema says, the server does).
class CategoryIn(BaseModel):
    key: Key | None = Field(
        default=None, description="Stable name for files and imports; from the name if left out"
    )
    names: Texts = Field(
        min_length=1, description='The name in each language: {"en": "Payment", "tr": "Ödeme"}'
    )
    descriptions: Texts = Field(default_factory=dict)
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000, strict=True)


class CategoryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key | None = None
    names: Texts | None = Field(default=None, min_length=1)
    descriptions: Texts | None = None
    position: int | None = Field(default=None, ge=-1_000_000, le=1_000_000, strict=True)


class CategoryOut(BaseModel):
    id: int
    key: str
    names: dict[str, str]
    descriptions: dict[str, str]
    position: int
    article_count: int = 0


MAX_QUESTIONS = 30


class TranslationIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=200_000, description="Markdown")
    summary: str = Field(default="", max_length=500, description="One or two sentences: meta description")
    slug: Slug | None = Field(default=None, description="URL slug; made from the title if left out")
    status: Status = "draft"
    questions: list[str] = Field(
        default_factory=list,
        max_length=MAX_QUESTIONS,
        description="Questions customers ask that the article answers, as they would write them: "
        "searched like the article's text (the bot finds the article from them). At most "
        f"{MAX_QUESTIONS}, each 3-300 characters; blanks and repeats are dropped.",
    )

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        found: list[str] = []
        for question in value:
            text = " ".join(question.split())
            if not text:
                continue
            if not 3 <= len(text) <= 300:
                raise ValueError("each example question is 3-300 characters")
            if text.casefold() not in {q.casefold() for q in found}:
                found.append(text)
        return found


class ArticleCreate(BaseModel):
    key: Key | None = None
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000, strict=True)
    translations: dict[Locale, TranslationIn] = Field(
        min_length=1, description='One entry per language: {"en": {...}, "tr": {...}}'
    )


class ArticleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key | None = None
    category_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, strict=True, description="null: no category"
    )
    position: int | None = Field(default=None, ge=-1_000_000, le=1_000_000, strict=True)


class TranslationOut(BaseModel):
    id: int
    locale: str
    title: str
    slug: str
    summary: str
    body: str
    body_html: str
    questions: list[str]
    status: Status
    published_at: dt.datetime | None
    url: str
    view_count: int
    helpful_yes: int
    helpful_no: int
    updated_at: dt.datetime


class ArticleOut(BaseModel):
    id: int
    key: str
    category_id: int | None
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime
    translations: list[TranslationOut]


class TranslationBrief(BaseModel):
    id: int
    locale: str
    title: str
    slug: str
    status: Status


class ArticleBrief(BaseModel):
    """An article in events: what changed can be fetched with GET .../articles/{id}."""

    id: int
    key: str
    category_id: int | None
    translations: list[TranslationBrief]


class SearchHitOut(BaseModel):
    article_id: int
    translation_id: int
    locale: str
    title: str
    url: str
    snippet: str
    semantic: float = Field(description="Cosine of the question with the translation's closest passage")
    lexical: float = Field(description="Character n-gram cosine of the question with the translation")
    score: float = Field(description="The probability that the article answers the question")


class PublicArticleHit(BaseModel):
    """What the widget's FAQ shows: a title, a line of text, the page to open."""

    article_id: int
    locale: str
    title: str
    snippet: str
    url: str


class ImportReport(BaseModel):
    created: int
    updated: int
    articles: list[str] = Field(description="The keys of the articles written")


class HelpCenterOut(BaseModel):
    name: str = Field(description="Shown in the header and titles of the public pages")
    default_locale: str = Field(description="Where /hc/{account_id} leads")
    locales: list[str] = Field(description="Languages with published articles")
    url: str = Field(description="The public home page")


class HelpCenterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200, description="Empty: the account's name")
    default_locale: Locale | None = None
