"""Channel credentials at rest: sealed under the server's secret key, and sealed again by
`destek rotate-secrets` (sealed.reseal_all) after the key changes, with nothing lost."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from destek.accounts.models import Inbox
from destek.channels import service as channels
from destek.channels.models import ChannelConfig
from destek.lib.sealing import Sealer, Unsealable
from destek.sealed import reseal_all
from destek.state import AppState
from tests.support.factories import Tenant


async def test_channel_secrets_survive_a_key_rotation(state: AppState, tenant: Tenant) -> None:
    old, new = Sealer(b"last year's key"), Sealer(b"this year's key", [b"last year's key"])
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        inbox.channel_type = "email"
        await channels.configure(
            session,
            inbox=inbox,
            sealer=old,
            settings={"address": "destek@lokanta.com.tr"},
            secrets={"imap_password": "uygulama şifresi", "ingest_token": "t0ken"},
        )
    async with state.uow() as session:
        counts = await reseal_all(session, sealer=new)
    assert counts["channel credentials (channel_configs.secrets)"] == 1
    async with state.read() as session:
        config = await session.scalar(select(ChannelConfig))
    assert config is not None
    assert channels.open_secrets(config, Sealer(b"this year's key")) == {
        "imap_password": "uygulama şifresi",
        "ingest_token": "t0ken",
    }
    with pytest.raises(Unsealable):
        channels.open_secrets(config, Sealer(b"last year's key"))
    assert "uygulama" not in (config.secrets or "") and json.dumps("t0ken") not in (config.secrets or "")
