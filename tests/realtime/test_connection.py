"""A slow client is dropped instead of slowing everyone, and a dropped client resumes losslessly."""

from __future__ import annotations

import json
from typing import Any, cast

from starlette.websockets import WebSocket

from destek.accounts.service import Actor
from destek.events.models import EventRow
from destek.realtime.connection import SLOW_CONSUMER, Connection
from destek.realtime.hub import LiveEvent


def _event(seq: int, inbox_id: int = 1) -> LiveEvent:
    row = EventRow(
        account_id=1,
        seq=seq,
        type="conversation.read",
        conversation_id=1,
        contact_id=1,
        inbox_id=inbox_id,
        private=False,
        payload={"type": "conversation.read"},
    )
    return LiveEvent(row)


def _agent(queue_size: int, inbox_ids: frozenset[int] | None = None) -> Connection:
    actor = Actor(account_id=1, user_id=1, role="agent", name="A", inbox_ids=inbox_ids)
    return Connection(cast(WebSocket, object()), account_id=1, actor=actor, queue_size=queue_size)


def _queued(connection: Connection) -> list[Any]:
    """What the sender would send next, decoded as the client would."""
    items: list[Any] = []
    while connection.outbox:
        item = connection.outbox.popleft()
        items.append(json.loads(item) if isinstance(item, str) else item)
    return items


def test_a_full_queue_closes_the_connection_with_the_slow_consumer_code() -> None:
    connection = _agent(queue_size=3)
    for seq in range(1, 4):
        connection.offer(_event(seq))
    assert not connection.closed
    connection.offer(_event(4))
    assert connection.closed
    assert connection.close_code == SLOW_CONSUMER
    assert "last seq" in connection.close_reason
    assert _queued(connection) == [None]  # the sender closes the socket next; nothing else is sent


def test_events_are_offered_once_even_when_offered_twice() -> None:
    connection = _agent(queue_size=10)
    for seq in (1, 2, 2, 3, 1):
        connection.offer(_event(seq))
    assert [frame["seq"] for frame in _queued(connection)] == [1, 2, 3]


def test_catching_up_holds_live_events_until_the_replay_is_sent() -> None:
    connection = _agent(queue_size=10)
    connection.begin_catch_up()
    connection.offer(_event(5))
    assert _queued(connection) == []
    assert [e.seq for e in connection.pending] == [5]


def test_an_agent_sees_only_the_inboxes_it_is_a_member_of() -> None:
    connection = _agent(queue_size=10, inbox_ids=frozenset({2}))
    connection.offer(_event(1, inbox_id=1))
    connection.offer(_event(2, inbox_id=2))
    assert [frame["seq"] for frame in _queued(connection)] == [2]
    assert connection.cursor == 2
