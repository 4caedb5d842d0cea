"""The public client API, continued: the app registers its device's push token for the contact, so an
agent's reply the customer has not read reaches the phone (channels/widget/notify.py). Mounted by
api.py under /api/v1/public/inboxes/{inbox_token}; the contact token is required."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from destek.channels.widget.access import CONTACT_ERRORS, CredentialsDep, visitor
from destek.deps import StateDep
from destek.push import devices

router = APIRouter()

Token = Annotated[str, Path(min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9_:\-.]+$")]


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["fcm", "apns"] = Field(description="fcm: Android (and iOS through Firebase); apns: iOS")
    token: str = Field(
        min_length=8,
        max_length=4096,
        pattern=r"^[A-Za-z0-9_:\-.]+$",
        description="The FCM registration token, or the APNs device token in hexadecimal",
    )


@router.put(
    "/devices",
    operation_id="public_register_device",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CONTACT_ERRORS,
    summary="Register this device's push token for the customer (call it at every app start)",
)
async def register_device(state: StateDep, creds: CredentialsDep, body: DeviceIn) -> Response:
    async with state.uow() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        await devices.register(
            session,
            account_id=who.inbox.account_id,
            inbox_id=who.inbox.id,
            contact_id=who.contact.id,
            provider=body.provider,
            token=body.token,
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/devices/{token}",
    operation_id="public_forget_device",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CONTACT_ERRORS,
    summary="Stop pushing to this device (the user logged out of the app)",
)
async def forget_device(token: Token, state: StateDep, creds: CredentialsDep) -> Response:
    async with state.uow() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        await devices.forget(session, inbox_id=who.inbox.id, token=token, contact_id=who.contact.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
