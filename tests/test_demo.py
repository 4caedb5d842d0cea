"""The demo data: a believable support desk, loaded once, on every backend."""

from __future__ import annotations

from sqlalchemy import select

from destek.accounts import credentials
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.channels.widget.settings import of_inbox
from destek.contacts import service as contacts
from destek.conversations import labels as conversation_labels
from destek.conversations import listing, outputs
from destek.conversations.models import Conversation, Message
from destek.demo import OWNER_EMAIL, PASSWORD, load_demo
from destek.state import AppState

TURKISH = set("çğıöşüÇĞİÖŞÜ")


async def _snapshot(state: AppState, account_id: int, owner_id: int) -> dict[str, object]:
    """Counts of what the demo made, read through the services."""
    async with state.read() as session:
        actor = await accounts.actor_for(session, account_id=account_id, user_id=owner_id)
        rows, _next = await listing.list_conversations(
            session, actor=actor, filters=listing.ConversationFilter(), cursor=None, limit=100
        )
        messages = 0
        for row in rows:
            messages += len(
                await listing.list_messages(session, conversation=row, include_private=True, limit=100)
            )
        found = await contacts.search_contacts(
            session, account_id=account_id, q=None, limit=100, after_id=None
        )
        return {
            "accounts": len(await accounts.memberships_of(session, user_id=owner_id)),
            "members": len(await accounts.list_members(session, account_id=account_id)),
            "teams": len(await team_service.list_teams(session, account_id=account_id)),
            "inboxes": len(await inbox_service.list_inboxes(session, actor=actor)),
            "contacts": len(found),
            "conversations": len(rows),
            "messages": messages,
            "labels": len(await conversation_labels.list_labels(session, account_id=account_id)),
        }


async def test_demo_has_tiered_teams_and_agents(state: AppState) -> None:
    info = await load_demo(state)
    assert info.created
    async with state.read() as session:
        account = await accounts.get_account(session, account_id=info.account_id)
        assert (account.name, account.locale, account.timezone) == ("Demo Cafe", "tr", "Europe/Istanbul")
        owner = await credentials.authenticate(session, email=OWNER_EMAIL, password=PASSWORD)
        assert owner is not None and owner.id == info.owner_user_id
        teams = await team_service.list_teams(session, account_id=info.account_id)
        assert [(t.name, t.tier) for t in teams] == [
            ("Genel Destek / General", 1),
            ("Teknik / Technical", 2),
            ("Mühendislik / Engineering", 3),
        ]
        sizes = [len(await team_service.team_member_ids(session, team_id=t.id)) for t in teams]
        assert sizes == [2, 1, 1]
        actor = await accounts.actor_for(session, account_id=info.account_id, user_id=info.owner_user_id)
        inbox, mail = await inbox_service.list_inboxes(session, actor=actor)
        assert inbox.channel_type == "widget" and inbox.public_token == info.inbox_public_token
        # The e-mail inbox: two customers' mails taken in through the real path, their quotes folded.
        assert mail.channel_type == "email"
        mails = list(
            await session.scalars(
                select(Message)
                .join(Conversation)
                .where(Conversation.inbox_id == mail.id)
                .order_by(Message.id)
            )
        )
        assert [m.content_attributes["email"]["from"]["email"] for m in mails] == [
            "zeynep.kaya@musteri.example",
            "tom.baker@example.co.uk",
        ]
        assert (
            mails[0].content.rstrip().endswith("Zeynep")
            and "şunu yazdı" in mails[0].content_attributes["email"]["quoted"]
        )
        look = await of_inbox(session, inbox)
        assert set(look.greetings) == {"tr", "en"} and look.color
        agent_ids = {a.user_id for a in info.agents}
        assert len(agent_ids) == 4
        assert agent_ids <= set(await inbox_service.inbox_member_ids(session, inbox_id=inbox.id))
        for agent in info.agents:
            assert await credentials.authenticate(session, email=agent.email, password=PASSWORD) is not None


async def test_demo_conversations_are_bilingual_and_varied(state: AppState) -> None:
    info = await load_demo(state)
    async with state.read() as session:
        actor = await accounts.actor_for(session, account_id=info.account_id, user_id=info.owner_user_id)
        rows, _next = await listing.list_conversations(
            session, actor=actor, filters=listing.ConversationFilter(), cursor=None, limit=100
        )
        assert len(rows) >= 8
        assert {c.status for c in rows} >= {"open", "pending", "resolved"}
        assert len({c.priority for c in rows}) >= 3
        assert any(c.assignee_id for c in rows) and any(c.assignee_id is None for c in rows)
        assert len({c.team_id for c in rows if c.team_id}) == 3
        labels = await outputs.labels_of(session, [c.id for c in rows])
        assert sum(1 for names in labels.values() if names) >= 8
        assert "payment" in {name for names in labels.values() for name in names}

        texts: list[str] = []
        notes = agent_replies = 0
        for row in rows:
            messages = await listing.list_messages(session, conversation=row, include_private=True, limit=100)
            assert messages[0].sender_type == "contact"
            texts += [m.content for m in messages]
            notes += sum(m.private for m in messages)
            agent_replies += sum(m.sender_type == "agent" and not m.private for m in messages)
        turkish = [t for t in texts if TURKISH & set(t)]
        english = [t for t in texts if not TURKISH & set(t) and (" the " in t or " my " in t or "Hi " in t)]
        assert len(turkish) >= 5 and len(english) >= 5
        assert notes >= 2 and agent_replies >= 5
        assert any("QR" in t for t in texts) and any("password" in t for t in texts)

        people = await contacts.search_contacts(
            session, account_id=info.account_id, q=None, limit=100, after_id=None
        )
        app_users = [p for p in people if p.identifier is not None]  # the others wrote by e-mail
        assert len(app_users) >= 8 and len(people) == len(app_users) + 2
        for person in app_users:
            assert person.identifier and person.attributes["user_id"] == person.identifier
            assert person.attributes["plan"]
            assert {"app_version", "os", "os_version", "device_model", "platform"} <= set(person.device)
            assert person.locale in ("tr", "en")


async def test_loading_twice_does_not_duplicate(state: AppState) -> None:
    first = await load_demo(state)
    before = await _snapshot(state, first.account_id, first.owner_user_id)
    second = await load_demo(state)
    assert not second.created
    assert (second.account_id, second.inbox_public_token) == (first.account_id, first.inbox_public_token)
    assert sorted(a.email for a in second.agents) == sorted(a.email for a in first.agents)
    assert {a.team for a in second.agents} == {a.team for a in first.agents}
    assert await _snapshot(state, first.account_id, first.owner_user_id) == before
