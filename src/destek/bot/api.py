"""Agent API for the bot: an inbox's bot settings and bot token (admins), the external bot's replies and
handoffs (with the inbox's bot token, or as an administrator), reply suggestions for agents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, StrictBool, field_validator

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.service import Actor
from destek.bot import handoffs, tokens
from destek.bot import service as bot
from destek.bot.settings import BotSettings, BotSettingsOut, BotSettingsUpdate
from destek.bot.suggestions import Suggestions, suggest
from destek.bot.trial import trial
from destek.conversations import outputs, posting
from destek.conversations import service as conversations
from destek.conversations.schemas import MAX_CONTENT, ConversationOut, MessageOut, QuickReply
from destek.db import MAX_ID, MAX_INT32
from destek.deps import ActorDep, StateDep, bearer, current_actor
from destek.errors import Conflict
from destek.helpcenter.search import SearchHit

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["bot"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]
InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get(
    "/inboxes/{inbox_id}/bot", response_model=BotSettingsOut, summary="An inbox's bot settings (admins)"
)
async def get_bot_settings(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> BotSettingsOut:
    accounts.require_admin(actor)
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        return bot.settings_out(inbox)


@router.patch(
    "/inboxes/{inbox_id}/bot",
    response_model=BotSettingsOut,
    summary="Change an inbox's bot settings (admins); fields left out stay as they are",
)
async def update_bot_settings(
    inbox_id: InboxId, body: BotSettingsUpdate, state: StateDep, actor: ActorDep
) -> BotSettingsOut:
    async with state.uow() as session:
        inbox = await bot.update_settings(
            session,
            actor=actor,
            inbox_id=inbox_id,
            change=body,
            allow_private_webhook=state.settings.bot_webhook_allow_private,
        )
        return bot.settings_out(inbox)


class BotTokenCreated(BaseModel):
    token: str = Field(
        description="The bot token, shown only this once: the external bot sends it as 'Bearer <token>'"
    )
    prefix: str = Field(description="The first characters of the token, to recognise it")
    created_at: dt.datetime


@router.post(
    "/inboxes/{inbox_id}/bot/token",
    response_model=BotTokenCreated,
    status_code=201,
    summary="Make the inbox's bot token (admins); the token is shown only now",
    description="The external bot sends it (`Authorization: Bearer dtb_...`) to reply (`bot_messages`) and "
    "hand over (`handoff`) in this inbox's conversations, and to nothing else. Making a new one replaces "
    "the old one at once.",
)
async def create_bot_token(
    inbox_id: InboxId, response: Response, state: StateDep, actor: ActorDep
) -> BotTokenCreated:
    async with state.uow() as session:
        issued = await tokens.issue(session, actor=actor, inbox_id=inbox_id)
    response.headers["Cache-Control"] = "no-store"
    return BotTokenCreated(token=issued.token, prefix=issued.prefix, created_at=issued.created_at)


@router.delete(
    "/inboxes/{inbox_id}/bot/token",
    status_code=204,
    response_model=None,
    summary="Revoke the inbox's bot token (admins); it stops working at once",
)
async def revoke_bot_token(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await tokens.revoke(session, actor=actor, inbox_id=inbox_id)
    return Response(status_code=204)


async def bot_or_agent(
    request: Request, state: StateDep, account_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Actor:
    """The external bot (the bot token of an inbox: an actor of role "bot" who sees that inbox alone),
    else the agent of an API token or a session, as everywhere."""
    token = bearer(request)
    if token is not None and tokens.is_bot_token(token):
        async with state.read() as session:
            return await tokens.bot_actor(session, account_id=account_id, token=token)
    return await current_actor(request, state, account_id)


BotOrAgentDep = Annotated[Actor, Depends(bot_or_agent)]


class BotMessageCreate(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    quick_replies: list[QuickReply] = Field(default_factory=list, max_length=10)
    client_message_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"
    )


@router.post(
    "/conversations/{number}/bot_messages",
    response_model=MessageOut,
    status_code=201,
    summary="Reply as the bot (the external bot with its inbox's bot token, or an administrator)",
    description="Refused with 409 once the conversation has been handed over to a person or an agent "
    "has replied. Bot messages never count as a person's response time. Send `client_message_id` to "
    "make retries safe (a retry answers 200 with the first message). A bot token answers 404 for a "
    "conversation of another inbox.",
    responses={
        200: {
            "model": MessageOut,
            "description": "A retry: the message first sent with this client_message_id",
        },
        409: {"description": "The conversation is with a person now: the bot may not reply"},
    },
)
async def post_bot_message(
    number: Number, body: BotMessageCreate, response: Response, state: StateDep, actor: BotOrAgentDep
) -> MessageOut:
    if not tokens.is_bot(actor):
        accounts.require_admin(actor)
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        if conversation.handed_over_at is not None or await conversations.has_agent_reply(
            session, conversation_id=conversation.id
        ):
            raise Conflict("the conversation has been handed over to a person: the bot may not reply")
        replies = [r.model_dump() for r in body.quick_replies]
        message, created = await posting.post_message(
            session,
            conversation=conversation,
            sender_type="bot",
            sender_id=None,
            content=body.content,
            client_message_id=body.client_message_id,
            content_type="quick_replies" if replies else "text",
            content_attributes={"quick_replies": replies} if replies else {},
        )
        if not created:
            response.status_code = 200
        return (await outputs.messages_out(session, [message]))[0]


class HandoffRequest(BaseModel):
    reason: str = Field(default="", max_length=200, description="Why, for the agents' note")
    note: str = Field(default="", max_length=4000, description="What the bot learnt, for agents")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    tell_customer: StrictBool = Field(default=True, description="Post the handoff message to the customer")


@router.post(
    "/conversations/{number}/handoff",
    response_model=ConversationOut,
    summary="Hand the conversation from the bot to a person (the external bot with its bot token, or agents)",
    description="Routes it to its topic's team, adds a private note for agents and (unless "
    "`tell_customer` is false) tells the customer a person will answer. Idempotent: a conversation "
    "already handed over is returned unchanged. A bot token answers 404 for a conversation of another "
    "inbox.",
)
async def handoff(
    number: Number, body: HandoffRequest, state: StateDep, actor: BotOrAgentDep
) -> ConversationOut:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        inbox_id = conversation.inbox_id
    online = await handoffs.agents_online(state, account_id=actor.account_id, inbox_id=inbox_id)
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        inbox = await inbox_service.get_inbox(
            session, account_id=actor.account_id, inbox_id=conversation.inbox_id
        )
        account = await accounts.get_account(session, account_id=actor.account_id)
        language = body.language or conversation.language or account.locale or "en"
        question = body.note or body.reason
        await handoffs.hand_over(
            session,
            conversation=conversation,
            settings=BotSettings.of(inbox.settings),
            handoff=handoffs.Handoff(
                reason="external" if not body.reason else body.reason,
                language=language[:2],
                question=question,
                sentiment=conversation.sentiment,
                urgency=conversation.urgency,
            ),
            online=online,
            key=f"handoff-{conversation.id}",
            account_locale=account.locale,
            tell_customer=body.tell_customer,
        )
        return await outputs.conversation_out(session, conversation)


@router.get(
    "/conversations/{number}/suggestions",
    response_model=Suggestions,
    summary="Reply suggestions for the customer's last message",
    description="Help-center articles, answers agents gave in similar resolved conversations, and "
    "canned responses.",
)
async def suggestions(number: Number, state: StateDep, actor: ActorDep) -> Suggestions:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        return await suggest(
            session,
            conversation=conversation,
            inbox_ids=actor.inbox_ids,
            base_url=state.settings.public_url,
        )


class TrialIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="A message as a customer would write it")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("write a message to try")
        return value


class TrialArticle(BaseModel):
    article_id: int
    locale: str
    title: str
    url: str
    score: float = Field(description="The search's probability that the article answers the message")


class TrialOut(BaseModel):
    language: str = Field(description="The language the bot would answer in")
    sentiment: Literal["negative", "neutral", "positive"] | None
    urgent: bool
    angry: bool
    asks_person: bool = Field(description="The message asks for a person")
    action: Literal["answer", "handoff", "hello", "thanks"]
    reason: str = Field(description="For a handoff: asked, angry, urgent or low_confidence")
    confidence: float = Field(description="How sure the bot is that `article` answers the message")
    threshold: float = Field(description="The inbox's answer threshold: the bot answers from it on")
    article: TrialArticle | None = Field(description="The article the bot answers with (or was most sure of)")
    candidates: list[TrialArticle] = Field(description="The help center's best articles for the message")


def _trial_article(hit: SearchHit) -> TrialArticle:
    return TrialArticle(
        article_id=hit.article_id, locale=hit.locale, title=hit.title, url=hit.url, score=round(hit.score, 4)
    )


@router.post(
    "/inboxes/{inbox_id}/bot/try",
    response_model=TrialOut,
    summary="What the built-in bot would do with a message (admins); nothing is sent or stored",
    description="The same steps as in a conversation: language, sentiment and urgency, a request for a "
    "person, the help center's best article and how sure the bot is of it against the inbox's threshold.",
)
async def try_bot(inbox_id: InboxId, body: TrialIn, state: StateDep, actor: ActorDep) -> TrialOut:
    accounts.require_admin(actor)
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        account = await accounts.get_account(session, account_id=actor.account_id)
        found = await trial(
            session,
            account_id=actor.account_id,
            account_locale=account.locale,
            settings=BotSettings.of(inbox.settings),
            text=body.text,
            base_url=state.settings.public_url,
        )
    return TrialOut(
        language=found.language,
        sentiment=found.feeling.label if found.feeling else None,
        urgent=bool(found.feeling and found.feeling.urgent),
        angry=bool(found.feeling and found.feeling.angry),
        asks_person=found.asks_person,
        action=found.action.kind,
        reason=found.action.reason,
        confidence=found.confidence,
        threshold=found.threshold,
        article=_trial_article(found.article) if found.article else None,
        candidates=[_trial_article(hit) for hit in found.candidates],
    )
