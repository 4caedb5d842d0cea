"""Demo data for `destek demo` / `make run`: a café's support desk, built only through the services.

The data is in Turkish and English, as a Turkish business with foreign customers would see it. It is
loaded once: `load_demo` finds the demo account by its owner's e-mail and returns it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.channels import service as channels
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.contacts.schemas import ContactCreate, DeviceInfo
from destek.conversations import labels as conversation_labels
from destek.conversations import posting
from destek.conversations import service as conversations
from destek.demo_stories import CONTACTS, STORIES, Story
from destek.state import AppState

ACCOUNT_NAME = "Demo Cafe"
OWNER_EMAIL = "admin@demo.destek"
# A demo's password is printed on the console: it protects nothing but a local playground.
PASSWORD = "destek-demo"  # noqa: S105
INBOX_NAME = "Uygulama içi sohbet / In-app chat"


@dataclass(frozen=True, slots=True)
class DemoAgent:
    user_id: int
    email: str
    name: str
    team: str


@dataclass(frozen=True, slots=True)
class DemoInfo:
    """What `destek demo` prints: who to log in as, and what to call the APIs with."""

    account_id: int
    account_name: str
    owner_user_id: int
    owner_email: str
    password: str
    inbox_id: int
    inbox_public_token: str
    agents: list[DemoAgent] = field(default_factory=list)
    created: bool = False  # False when the demo was already there


# --- the data ---------------------------------------------------------------------------------------

TEAMS = [
    # name, tier, description
    ("Genel Destek / General", 1, "Ödeme, sipariş, hesap / Payments, orders, accounts"),
    ("Teknik / Technical", 2, "Uygulama ve QR menü sorunları / App and QR menu problems"),
    ("Mühendislik / Engineering", 3, "Hatalar ve entegrasyonlar / Bugs and integrations"),
]

AGENTS = [
    # email, name, team name
    ("ayse@demo.destek", "Ayşe Demir", "Genel Destek / General"),
    ("mehmet@demo.destek", "Mehmet Kaya", "Genel Destek / General"),
    ("elif@demo.destek", "Elif Şahin", "Teknik / Technical"),
    ("can@demo.destek", "Can Öztürk", "Mühendislik / Engineering"),
]

INBOX_SETTINGS = {
    # One greeting per language: the widget asks for its language (?locale= or Accept-Language).
    "greetings": {
        "tr": "Merhaba! Size nasıl yardımcı olabiliriz?",
        "en": "Hi! How can we help you today?",
    },
    "color": "#b45309",
    "locale": "tr",
    "position": "right",
}


async def load_demo(state: AppState) -> DemoInfo:
    """Create the demo account with its people, inbox, contacts and conversations, once."""
    async with state.uow() as session:
        found = await find_demo(session)
        if found is not None:
            return found
        info = await _create(session)
    from destek.channels.registry import load_demos  # through the real ingest paths, after commit

    await load_demos(
        state,
        account_id=info.account_id,
        owner_user_id=info.owner_user_id,
        agent_ids=[a.user_id for a in info.agents],
    )
    return info


async def find_demo(session: AsyncSession) -> DemoInfo | None:
    """The demo account if it was loaded before (found by its owner), else None."""
    owner = await credentials.get_user_by_email(session, email=OWNER_EMAIL)
    if owner is None:
        return None
    demo = [a for _m, a in await accounts.memberships_of(session, user_id=owner.id) if a.name == ACCOUNT_NAME]
    if not demo:
        return None
    account = demo[0]
    actor = await accounts.actor_for(session, account_id=account.id, user_id=owner.id)
    inboxes = [
        i for i in await inbox_service.list_inboxes(session, actor=actor) if i.channel_type == "widget"
    ]
    if not inboxes:
        return None
    teams = {t.id: t.name for t in await team_service.list_teams(session, account_id=account.id)}
    team_of: dict[int, str] = {}
    for team_id, name in teams.items():
        for user_id in await team_service.team_member_ids(session, team_id=team_id):
            team_of.setdefault(user_id, name)
    agents = [
        DemoAgent(user.id, user.email, user.name, team_of.get(user.id, ""))
        for membership, user in await accounts.list_members(session, account_id=account.id)
        if membership.role == "agent"
    ]
    return _info(account.id, owner.id, inboxes[0], agents, created=False)


def _info(
    account_id: int, owner_id: int, inbox: Inbox, agents: list[DemoAgent], *, created: bool
) -> DemoInfo:
    return DemoInfo(
        account_id=account_id,
        account_name=ACCOUNT_NAME,
        owner_user_id=owner_id,
        owner_email=OWNER_EMAIL,
        password=PASSWORD,
        inbox_id=inbox.id,
        inbox_public_token=inbox.public_token,
        agents=sorted(agents, key=lambda a: a.email),
        created=created,
    )


async def _create(session: AsyncSession) -> DemoInfo:
    account = await accounts.create_account(
        session, name=ACCOUNT_NAME, locale="tr", timezone="Europe/Istanbul"
    )
    owner = await credentials.create_user(
        session, email=OWNER_EMAIL, name="Demo Yönetici / Admin", password=PASSWORD, locale="tr"
    )
    await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
    actor = await accounts.actor_for(session, account_id=account.id, user_id=owner.id)

    users: dict[str, int] = {}
    agents: list[DemoAgent] = []
    for email, name, team_name in AGENTS:
        user = await credentials.create_user(session, email=email, name=name, password=PASSWORD, locale="tr")
        await accounts.add_member(session, account_id=account.id, user_id=user.id, role="agent")
        users[email] = user.id
        agents.append(DemoAgent(user.id, email, name, team_name))

    team_ids: dict[str, int] = {}
    for name, tier, description in TEAMS:
        team = await team_service.create_team(
            session, actor=actor, name=name, tier=tier, description=description
        )
        team_ids[name] = team.id
        members = [users[email] for email, _n, team_name in AGENTS if team_name == name]
        await team_service.set_team_members(session, actor=actor, team_id=team.id, user_ids=members)

    inbox = await inbox_service.create_inbox(
        session, account_id=account.id, name=INBOX_NAME, channel_type="widget"
    )
    await channels.configure(session, inbox=inbox, sealer=None, settings=INBOX_SETTINGS)
    await inbox_service.set_inbox_members(
        session, actor=actor, inbox_id=inbox.id, user_ids=list(users.values())
    )

    people: dict[str, Contact] = {}
    for person in CONTACTS:
        people[person.identifier] = await contacts.identify(
            session,
            inbox=inbox,
            data=ContactCreate(
                identifier=person.identifier,
                name=person.name,
                email=person.email,
                locale=person.locale,
                attributes={"plan": person.plan, "user_id": person.identifier},
                device=DeviceInfo(
                    app_version=person.app_version,
                    os=person.os,
                    os_version=person.os_version,
                    device_model=person.device_model,
                    platform=person.platform,
                    timezone="Europe/Istanbul",
                ),
            ),
            identifier_hash=None,
            existing=None,
        )

    for story in STORIES:
        await _tell(session, story, inbox=inbox, contact=people[story.contact], users=users, teams=team_ids)
    from destek.helpcenter.demo import load_demo_articles

    await load_demo_articles(session, actor=actor)
    from destek.bot.demo import enable_demo_bot

    await enable_demo_bot(session, inbox=inbox, team_ids=team_ids)
    from destek.canned.demo import load_demo_canned

    await load_demo_canned(session, actor=actor)
    return _info(account.id, owner.id, inbox, agents, created=True)


async def _tell(
    session: AsyncSession,
    story: Story,
    *,
    inbox: Inbox,
    contact: Contact,
    users: dict[str, int],
    teams: dict[str, int],
) -> None:
    conversation = await conversations.create_conversation(
        session, inbox=inbox, contact=contact, subject=story.subject
    )
    for who, text in story.messages:
        if who == "contact":
            await posting.post_message(
                session, conversation=conversation, sender_type="contact", sender_id=contact.id, content=text
            )
        else:
            private = who.startswith("note:")
            email = who.removeprefix("note:")
            await posting.post_message(
                session,
                conversation=conversation,
                sender_type="agent",
                sender_id=users[email],
                content=text,
                private=private,
            )
    if story.labels:
        await conversation_labels.set_labels(session, conversation=conversation, labels=story.labels)
    await conversations.set_priority(session, conversation=conversation, priority=story.priority)
    await conversations.assign(
        session,
        conversation=conversation,
        assignee_id=users[story.assignee] if story.assignee else None,
        team_id=teams[story.team] if story.team else None,
    )
    await conversations.set_status(session, conversation=conversation, status=story.status)
