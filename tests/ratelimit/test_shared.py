"""Several nodes sharing Redis share their counts: a client cannot multiply its allowance by the
number of nodes behind the load balancer."""

from __future__ import annotations

import httpx
import pytest

from destek.app import build_state, create_app, running
from destek.state import AppState
from tests.ratelimit.conftest import Clock, use_clock
from tests.support.factories import PASSWORD, Tenant

pytestmark = pytest.mark.parametrize("bus_url", ["redis"], indirect=True)


async def test_two_nodes_count_one_e_mails_logins_together(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant, clock: Clock
) -> None:
    other = build_state(limited.settings)  # another node: same database, same Redis, own process state
    use_clock(other, clock)
    async with running(other):
        transport = httpx.ASGITransport(app=create_app(state=other))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as second:
            wrong = {"email": tenant.owner.email, "password": "guess"}
            for node in [client, second] * 5:
                assert (await node.post("/api/v1/auth/login", json=wrong)).status_code == 401
            right = {"email": tenant.owner.email, "password": PASSWORD}
            assert (await client.post("/api/v1/auth/login", json=right)).status_code == 429
            assert (await second.post("/api/v1/auth/login", json=right)).status_code == 429

            clock.advance(300)
            assert (await second.post("/api/v1/auth/login", json=right)).status_code == 200
