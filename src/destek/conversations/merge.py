"""Merging conversations: a contact wrote twice about one thing, so two conversations become one.

How it works (after Front and Zendesk; Chatwoot merges contacts, not conversations):
- Nothing is rewritten. The source keeps its rows; it is resolved and marked `merged_into_id`.
- The target's thread shows the source's messages among its own, in the order they were written
  (service.list_messages follows merges), for agents and for the contact alike: the customer sees one
  conversation with everything they said.
- Each side gets a private note ("Merged into #14" / "#12 was merged into this conversation").
- Events: conversation.merged (dashboards reload the target's thread), conversation.updated for the
  source (status resolved, merged_into_id; the contact's widget sees both and can follow), and for the
  target when the merge reopened it or made it wait.
- Later messages to the source follow the merge (posting.post_message): a contact replying in the old
  thread lands in the target; an agent is told to write there.

Refused: merging a conversation into itself, into another contact's, into one that is itself merged,
or one already merged. A cycle therefore cannot form: a target is never a merged conversation.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor
from destek.conversations import listing, outputs, posting
from destek.conversations import service as conversations
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.events import log
from destek.events.schemas import ConversationMerged, ConversationUpdated

FIELD = "into_conversation_id"


async def access_target(
    session: AsyncSession, *, actor: Actor, conversation_id: int | None, number: int | None
) -> Conversation:
    """The target, by id or by number, if the actor may see it; NotFound naming the field."""
    if number is not None:
        try:
            return await conversations.access_conversation(session, actor=actor, number=number)
        except NotFound:
            raise NotFound(f"conversation {number} not found", field="into_number") from None
    found = await conversations.get_conversation(
        session, account_id=actor.account_id, conversation_id=conversation_id or 0
    )
    if found is None or not actor.can_see_inbox(found.inbox_id):
        raise NotFound(f"conversation {conversation_id} not found", field=FIELD)
    return found


async def lock_both(
    session: AsyncSession, *, actor: Actor, source: Conversation, target: Conversation
) -> tuple[Conversation, Conversation]:
    """Lock the two rows in id order (two opposite merges at once must not deadlock), fresh."""
    locked: dict[int, Conversation] = {}
    for row in sorted({source.id: source, target.id: target}.values(), key=lambda c: c.id):
        locked[row.id] = await conversations.access_conversation(
            session, actor=actor, number=row.number, for_update=True
        )
    return locked[source.id], locked[target.id]


def check_merge(source: Conversation, target: Conversation) -> None:
    if source.id == target.id:
        raise Invalid("a conversation cannot be merged into itself: choose another one", field=FIELD)
    if source.merged_into_id is not None:
        raise Conflict(f"conversation #{source.number} is already merged into another one", field="number")
    if target.merged_into_id is not None:
        raise Conflict(
            f"conversation #{target.number} is itself merged into another one: merge into that one instead",
            field=FIELD,
        )
    if source.contact_id != target.contact_id:
        raise Invalid(
            f"conversation #{target.number} is with another contact: only a contact's own conversations "
            "can be merged (merge the contacts first)",
            field=FIELD,
        )
    if source.account_id != target.account_id:  # access_* already refuses; never merge across tenants
        raise NotFound(f"conversation {target.id} not found", field=FIELD)


async def merge(
    session: AsyncSession, *, actor: Actor, source: Conversation, target: Conversation
) -> tuple[Conversation, Conversation]:
    """Merge `source` into `target` (both locked by the caller). Returns (source, target)."""
    check_merge(source, target)
    if target.id in await listing.thread_ids(session, source.id):
        raise Conflict("these conversations are already merged the other way round", field=FIELD)
    attributes = {"merge": {"source_number": source.number, "target_number": target.number}}
    # The notes first: once merged, posting to the source would follow the merge.
    await posting.post_message(
        session,
        conversation=source,
        sender_type="agent",
        sender_id=actor.user_id,
        sender_name=actor.name,
        private=True,
        content=f"Merged into #{target.number} by {actor.name}.",
        content_attributes=attributes,
    )
    await posting.post_message(
        session,
        conversation=target,
        sender_type="agent",
        sender_id=actor.user_id,
        sender_name=actor.name,
        private=True,
        content=f"#{source.number} was merged into this conversation by {actor.name}.",
        content_attributes=attributes,
    )
    now = utcnow()
    source_was_active = source.status in ("open", "pending")
    source_waiting = source.waiting_since
    source.merged_into_id = target.id
    source_changed = ["merged_into_id"]
    if source.status != "resolved":
        source.status = "resolved"
        source.resolved_at = now
        source_changed.append("status")
    source.snoozed_until = None
    source.waiting_since = None
    source.updated_at = now

    target_changed: list[str] = []
    if source_was_active and target.status in ("resolved", "snoozed"):
        # The customer's open request now lives in the target: it must not stay closed.
        target.status = "open"
        target.resolved_at = None
        target.snoozed_until = None
        target_changed.append("status")
    if source_waiting is not None and (target.waiting_since is None or source_waiting < target.waiting_since):
        target.waiting_since = source_waiting  # the contact has waited since then
        target_changed.append("waiting_since")
    if source.last_activity_at > target.last_activity_at:
        target.last_activity_at = source.last_activity_at
    target.updated_at = now
    await session.flush()

    source_out, target_out = await outputs.conversations_out(session, [source, target])
    log.record(
        session,
        ConversationUpdated(conversation=source_out, changed=source_changed),
        account_id=source.account_id,
        conversation_id=source.id,
        contact_id=source.contact_id,
        inbox_id=source.inbox_id,
    )
    if target_changed:
        log.record(
            session,
            ConversationUpdated(conversation=target_out, changed=target_changed),
            account_id=target.account_id,
            conversation_id=target.id,
            contact_id=target.contact_id,
            inbox_id=target.inbox_id,
        )
    log.record(
        session,
        ConversationMerged(source=source_out, target=target_out, merged_by=actor.user_id),
        account_id=target.account_id,
        conversation_id=target.id,
        contact_id=target.contact_id,
        inbox_id=target.inbox_id,
    )
    return source, target
