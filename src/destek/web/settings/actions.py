"""JSON actions of the Settings pages that the agent API does not offer as such: saving an inbox's chat
widget, validated by the widget's own WidgetSettings.

Like the API they need the session cookie with the X-Requested-With header (or an API token), and
answer errors as {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import Field

from destek.accounts import inboxes as inbox_service
from destek.accounts.schemas import Name
from destek.channels import service as channels
from destek.channels.widget.settings import WidgetSettings
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep

router = APIRouter(include_in_schema=False)

InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]


class WidgetForm(WidgetSettings):
    """The widget form: the whole WidgetSettings (what is left out returns to its default), and the
    inbox's name."""

    name: Name | None = Field(default=None, description="The inbox's name, changed with the widget")


@router.post("/app/{account_id}/settings/inboxes/{inbox_id}/widget")
async def save_widget(inbox_id: InboxId, body: WidgetForm, state: StateDep, actor: ActorDep) -> JSONResponse:
    widget = WidgetSettings.model_validate(body.model_dump(exclude={"name"}))
    async with state.uow() as session:
        inbox = await inbox_service.update_inbox(session, actor=actor, inbox_id=inbox_id, name=body.name)
        await channels.configure(session, inbox=inbox, sealer=state.sealer, settings=widget.stored())
        return JSONResponse({"id": inbox.id, "name": inbox.name, "settings": widget.stored()})
