"""Every table, imported in one place for Alembic and for schema checks."""

from destek.accounts.models import (
    Account,
    ApiToken,
    Inbox,
    InboxMember,
    LoginSession,
    Membership,
    Team,
    TeamMember,
    User,
)
from destek.contacts.models import Contact, ContactIdentity
from destek.conversations.models import Attachment, Conversation, ConversationLabel, Label, Message
from destek.db import Base
from destek.events.models import ConsumerCursor, EventRow

__all__ = [
    "Account",
    "ApiToken",
    "Attachment",
    "Base",
    "ConsumerCursor",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationLabel",
    "EventRow",
    "Inbox",
    "InboxMember",
    "Label",
    "LoginSession",
    "Membership",
    "Message",
    "Team",
    "TeamMember",
    "User",
]
