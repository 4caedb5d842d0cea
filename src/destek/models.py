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
from destek.bot.models import BotSession
from destek.canned.models import CannedResponse
from destek.channels.models import ChannelConfig, InboundRecord
from destek.consumers.models import ConsumerLease
from destek.contacts.models import Contact, ContactIdentity
from destek.conversations.models import Attachment, Conversation, ConversationLabel, Label, Message
from destek.db import Base
from destek.deliveries.models import Delivery
from destek.events.models import ConsumerCursor, EventRow
from destek.helpcenter.models import (
    Article,
    Category,
    Embedding,
    HelpCenter,
    QuestionSuggestion,
    Translation,
    Vote,
)
from destek.push.models import PushDevice
from destek.ratings.models import ConversationRating
from destek.realtime.models import AgentPresence
from destek.scheduling.models import Timer
from destek.sla.models import BusinessCalendar, CalendarLink

__all__ = [
    "Account",
    "AgentPresence",
    "ApiToken",
    "Article",
    "Attachment",
    "Base",
    "BotSession",
    "BusinessCalendar",
    "CalendarLink",
    "CannedResponse",
    "Category",
    "ChannelConfig",
    "ConsumerCursor",
    "ConsumerLease",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationLabel",
    "ConversationRating",
    "Delivery",
    "Embedding",
    "EventRow",
    "HelpCenter",
    "InboundRecord",
    "Inbox",
    "InboxMember",
    "Label",
    "LoginSession",
    "Membership",
    "Message",
    "PushDevice",
    "QuestionSuggestion",
    "Team",
    "TeamMember",
    "Timer",
    "Translation",
    "User",
    "Vote",
]
