"""Building what the API, the events and the sockets show of conversations and messages: in few queries,
and none for a message the session has just posted (post_message keeps what it built)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import User
from destek.contacts.models import Contact
from destek.conversations.attachments import attachment_out
from destek.conversations.models import Attachment, Conversation, ConversationLabel, Label, Message
from destek.conversations.schemas import ConversationOut, MessageOut, Sender

BOT_NAME = "Destek Bot"


async def labels_of(session: AsyncSession, conversation_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {cid: [] for cid in conversation_ids}
    if not conversation_ids:
        return result
    rows = await session.execute(
        select(ConversationLabel.conversation_id, Label.name)
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(ConversationLabel.conversation_id.in_(conversation_ids))
        .order_by(Label.name)
    )
    for conversation_id, name in rows:
        result[conversation_id].append(name)
    return result


def _conversation_out(conversation: Conversation, labels: list[str]) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        number=conversation.number,
        inbox_id=conversation.inbox_id,
        contact_id=conversation.contact_id,
        status=conversation.status,
        priority=conversation.priority,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        labels=labels,
        language=conversation.language,
        subject=conversation.subject,
        custom_attributes=conversation.custom_attributes,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        last_activity_at=conversation.last_activity_at,
        first_reply_at=conversation.first_reply_at,
        waiting_since=conversation.waiting_since,
        resolved_at=conversation.resolved_at,
        snoozed_until=conversation.snoozed_until,
        contact_last_read_at=conversation.contact_last_read_at,
        agent_last_read_at=conversation.agent_last_read_at,
        topic=conversation.topic,
        sentiment=conversation.sentiment,
        urgency=conversation.urgency,
        handed_over_at=conversation.handed_over_at,
        bot_resolved=bool(conversation.bot_resolved),
        merged_into_id=conversation.merged_into_id,
    )


async def conversation_out(session: AsyncSession, conversation: Conversation) -> ConversationOut:
    labels = await labels_of(session, [conversation.id])
    return _conversation_out(conversation, labels[conversation.id])


async def conversations_out(session: AsyncSession, rows: Sequence[Conversation]) -> list[ConversationOut]:
    labels = await labels_of(session, [c.id for c in rows])
    return [_conversation_out(c, labels[c.id]) for c in rows]


_BUILT = "destek_messages_out"


def _message_out(m: Message, *, name: str, number: int, files: Sequence[Attachment]) -> MessageOut:
    return MessageOut(
        id=m.id,
        conversation_id=m.conversation_id,
        conversation_number=number,
        direction=m.direction,
        sender=Sender(type=m.sender_type, id=m.sender_id, name=name),
        private=m.private,
        content=m.content,
        content_type=m.content_type,
        content_attributes=m.content_attributes,
        client_message_id=m.client_message_id,
        external_id=m.external_id,
        status=m.status,
        created_at=m.created_at,
        attachments=[attachment_out(a) for a in files],
    )


def forget_built(session: AsyncSession, message: Message) -> None:
    """The message changed after it was built: build it afresh next time."""
    session.info.get(_BUILT, {}).pop(message, None)


async def messages_out(
    session: AsyncSession, messages: Sequence[Message], *, numbers: dict[int, int] | None = None
) -> list[MessageOut]:
    """Messages with their senders' names and attachments, in few queries (none for a message this
    session has just posted: post_message keeps what it built)."""
    # Keyed by the object, not its id: SQLite may reuse the id of a row rolled back in a savepoint.
    built: dict[Message, MessageOut] = session.info.get(_BUILT, {})
    missing = [m for m in messages if m not in built]
    if not missing:
        return [built[m] for m in messages]
    ids = [m.id for m in missing]
    files: dict[int, list[Attachment]] = {i: [] for i in ids}
    for attachment in await session.scalars(
        select(Attachment).where(Attachment.message_id.in_(ids)).order_by(Attachment.id)
    ):
        if attachment.message_id is not None:
            files[attachment.message_id].append(attachment)
    user_ids = {m.sender_id for m in missing if m.sender_type == "agent" and m.sender_id}
    contact_ids = {m.sender_id for m in missing if m.sender_type == "contact" and m.sender_id}
    users: dict[int, str] = {}
    contacts: dict[int, str] = {}
    if user_ids:
        users = dict((await session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))).all())
    if contact_ids:
        contacts = dict(
            (await session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids)))).all()
        )
    if numbers is None or any(m.conversation_id not in numbers for m in missing):
        conv_ids = {m.conversation_id for m in missing}
        numbers = dict(
            (
                await session.execute(
                    select(Conversation.id, Conversation.number).where(Conversation.id.in_(conv_ids))
                )
            ).all()
        )
    for m in missing:
        built_one = _message_out(
            m, name=_sender_name(m, users, contacts), number=numbers[m.conversation_id], files=files[m.id]
        )
        built = {**built, m: built_one}
    return [built[m] for m in messages]


def _sender_name(m: Message, users: dict[int, str], contacts: dict[int, str]) -> str:
    if m.sender_type == "agent":
        return users.get(m.sender_id or 0, "")
    if m.sender_type == "contact":
        return contacts.get(m.sender_id or 0, "")
    return BOT_NAME if m.sender_type == "bot" else ""
