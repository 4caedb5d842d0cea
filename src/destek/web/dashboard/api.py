"""The two agent API routes the dashboard adds: the agent's UI language and "I am viewing this"."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict

from destek.accounts import service as accounts
from destek.accounts.auth_api import ProfileUserDep
from destek.accounts.schemas import UserOut
from destek.conversations import service as conversations
from destek.db import MAX_INT32
from destek.deps import CSRF_HEADER, SAFE_METHODS, ActorDep, StateDep, bearer
from destek.errors import Forbidden
from destek.realtime.signals import send_viewing

router = APIRouter(prefix="/api/v1")

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


class LocaleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: Literal["en", "tr"] | None  # null: follow the browser's language


class ViewingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    viewing: bool


@router.put(
    "/profile/locale",
    response_model=UserOut,
    tags=["auth"],
    summary="Choose your own UI language (en, tr), or null to follow the browser's",
)
async def set_locale(body: LocaleChange, request: Request, state: StateDep, who: ProfileUserDep) -> UserOut:
    if bearer(request) is None and request.method not in SAFE_METHODS and CSRF_HEADER not in request.headers:
        raise Forbidden("requests with a session cookie must send the X-Requested-With header")
    user_id, _account = who
    async with state.uow() as session:
        user = await accounts.set_user_locale(session, user_id=user_id, locale=body.locale)
        return UserOut(id=user.id, email=user.email, name=user.name, locale=user.locale)


@router.post(
    "/accounts/{account_id}/conversations/{number}/viewing",
    status_code=204,
    response_model=None,
    tags=["conversations"],
    summary="Tell other agents you have the conversation open (a collision notice; agents only)",
    description='Send `{"viewing": true}` when the conversation is opened and again every ~20 s while '
    'it stays open, `{"viewing": false}` when it is left. Never stored; never shown to the contact.',
)
async def viewing(number: Number, body: ViewingChange, state: StateDep, actor: ActorDep) -> Response:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
    await send_viewing(
        state.bus, conversation=conversation, user_id=actor.user_id, name=actor.name, viewing=body.viewing
    )
    return Response(status_code=204)
