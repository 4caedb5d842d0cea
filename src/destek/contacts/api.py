"""Agent API: contacts (the business's customers) and the identities channels know them by."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from destek.accounts import service as accounts
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate, ContactOut, ContactPage, ContactUpdate, IdentityOut
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["contacts"])

ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get(
    "/contacts",
    response_model=ContactPage,
    summary="Find contacts by name, e-mail, phone or identifier; newest first, with a cursor",
)
async def list_contacts(
    state: StateDep,
    actor: ActorDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of a name, e-mail, phone or identifier")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[
        str | None, Query(pattern=r"^[1-9][0-9]{0,17}$", description="next_cursor of the previous page")
    ] = None,
) -> ContactPage:
    async with state.read() as session:
        rows = await contacts.search_contacts(
            session,
            account_id=actor.account_id,
            q=q,
            limit=limit + 1,  # one more than asked tells whether there is a next page
            after_id=int(cursor) if cursor else None,
        )
    page = rows[:limit]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return ContactPage(items=[contacts.contact_out(c) for c in page], next_cursor=next_cursor)


@router.post(
    "/contacts",
    status_code=201,
    response_model=ContactOut,
    summary="Create a contact",
    responses={409: {"description": "A contact with this identifier exists"}},
)
async def create_contact(body: ContactCreate, state: StateDep, actor: ActorDep) -> ContactOut:
    async with state.uow() as session:
        contact = await contacts.create_contact(session, account_id=actor.account_id, data=body)
        return contacts.contact_out(contact)


@router.get("/contacts/{contact_id}", response_model=ContactOut, summary="One contact")
async def get_contact(contact_id: ContactId, state: StateDep, actor: ActorDep) -> ContactOut:
    async with state.read() as session:
        contact = await contacts.get_contact(session, account_id=actor.account_id, contact_id=contact_id)
        return contacts.contact_out(contact)


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactOut,
    summary="Change a contact; attributes and device are merged into what is there",
)
async def update_contact(
    contact_id: ContactId, body: ContactUpdate, state: StateDep, actor: ActorDep
) -> ContactOut:
    async with state.uow() as session:
        contact = await contacts.get_contact(session, account_id=actor.account_id, contact_id=contact_id)
        await contacts.update_contact(session, contact=contact, data=body)
        return contacts.contact_out(contact)


@router.delete(
    "/contacts/{contact_id}",
    status_code=204,
    response_model=None,
    summary="Delete a contact with their conversations (administrators)",
)
async def delete_contact(contact_id: ContactId, state: StateDep, actor: ActorDep) -> Response:
    accounts.require_admin(actor)
    async with state.uow() as session:
        contact = await contacts.get_contact(session, account_id=actor.account_id, contact_id=contact_id)
        await contacts.delete_contact(session, contact=contact)
    return Response(status_code=204)


@router.get(
    "/contacts/{contact_id}/identities",
    response_model=list[IdentityOut],
    summary="How each inbox's channel knows the contact (only inboxes you may see)",
)
async def list_identities(contact_id: ContactId, state: StateDep, actor: ActorDep) -> list[IdentityOut]:
    async with state.read() as session:
        contact = await contacts.get_contact(session, account_id=actor.account_id, contact_id=contact_id)
        rows = await contacts.identities_of(session, contact_id=contact.id, inbox_ids=actor.inbox_ids)
    return [IdentityOut.model_validate(row) for row in rows]
