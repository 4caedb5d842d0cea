"""Pushing one reply to a contact's devices (FCM, APNs), for the unread-reply notifier (notify.py): one
client per inbox's credentials, kept while they stay the same; a token the provider says is gone is
removed, and "bad token" for every device (often a wrong bundle id or sandbox flag) is reported rather
than deleting every device."""

from __future__ import annotations

import hashlib
import logging
import ssl
from collections.abc import Sequence
from typing import Any

import httpx

from destek.channels.widget.reach import ReachSettings
from destek.deliveries.outcome import Delivered, Failed, Outcome, RetryLater, Skipped
from destek.push import devices
from destek.push.apns import ApnsClient, ApnsKey
from destek.push.fcm import FcmClient, ServiceAccount
from destek.push.models import PushDevice
from destek.push.outcome import BadToken, Pushed, PushFailed, PushMessage, TryLater
from destek.state import AppState

log = logging.getLogger(__name__)


class Pusher:
    def __init__(self) -> None:
        self._clients: dict[str, FcmClient | ApnsClient] = {}
        self._http: httpx.AsyncClient | None = None
        self._proven: set[tuple[int, str]] = set()  # (inbox, provider) that pushed once: its settings work

    async def push(
        self,
        state: AppState,
        *,
        inbox_id: int,
        context: Any,
        targets: Sequence[PushDevice],
        push: PushMessage,
    ) -> Outcome:
        results: list[Outcome] = []
        for device in targets:
            client = await self._client(state, inbox_id, device.provider, context)
            if client is None:
                results.append(Failed(f"{device.provider.upper()} is not set up for this inbox"))
                continue
            result = await client.send(device.token, push)
            results.append(await self._outcome(state, inbox_id, device.provider, device.token, result))
        return _combined(results)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _outcome(
        self, state: AppState, inbox_id: int, provider: str, token: str, result: Any
    ) -> Outcome:
        if isinstance(result, Pushed):
            self._proven.add((inbox_id, provider))
            return Delivered(provider_id=result.provider_id)
        if isinstance(result, TryLater):
            return RetryLater(result.reason, delay=result.retry_after)
        if isinstance(result, BadToken):
            gone = "nregistered" in result.reason or "UNREGISTERED" in result.reason
            # "Bad token" for every device may be our own mistake (a wrong bundle id or sandbox flag):
            # a token is removed only once the provider said it is gone, or this set-up has pushed.
            if gone or (inbox_id, provider) in self._proven:
                async with state.uow() as session:
                    await devices.forget(session, inbox_id=inbox_id, token=token)
                return Skipped(f"device removed: {result.reason}")
            return Failed(f"{result.reason} (check the app's bundle id, sandbox setting and key)")
        assert isinstance(result, PushFailed)
        return Failed(result.reason)

    async def _client(
        self, state: AppState, inbox_id: int, provider: str, context: Any
    ) -> FcmClient | ApnsClient | None:
        settings = context.settings
        assert isinstance(settings, ReachSettings)
        secret = context.secrets.get("fcm_service_account" if provider == "fcm" else "apns_private_key")
        if not secret:
            return None
        fingerprint = hashlib.sha256(
            f"{inbox_id}:{provider}:{secret}:{settings.apns_key_id}:{settings.apns_team_id}:"
            f"{settings.apns_bundle_id}:{settings.apns_sandbox}".encode()
        ).hexdigest()
        client = self._clients.get(fingerprint)
        if client is not None:
            return client
        http = self._http_client(state)
        try:
            if provider == "fcm":
                client = FcmClient(
                    ServiceAccount.from_json(secret), client=http, base_url=state.settings.fcm_url
                )
            else:
                key = ApnsKey(
                    key_id=settings.apns_key_id,
                    team_id=settings.apns_team_id,
                    private_key=secret,
                    bundle_id=settings.apns_bundle_id,
                    sandbox=settings.apns_sandbox,
                )
                client = ApnsClient(key, client=http, base_url=state.settings.apns_url)
        except ValueError as exc:
            log.warning("inbox %s: %s push is set up wrongly: %s", inbox_id, provider, exc)
            return None
        self._clients[fingerprint] = client
        return client

    def _http_client(self, state: AppState) -> httpx.AsyncClient:
        if self._http is None:
            verify: ssl.SSLContext | bool = True
            if state.settings.push_ca_file is not None:
                verify = ssl.create_default_context(cafile=str(state.settings.push_ca_file))
            self._http = httpx.AsyncClient(http2=True, verify=verify, timeout=10)
        return self._http


def _combined(results: list[Outcome]) -> Outcome:
    """Delivered when one device got it; else retry when one may later; else the first failure."""
    for result in results:
        if isinstance(result, Delivered):
            return result
    for result in results:
        if isinstance(result, RetryLater):
            return result
    for result in results:
        if isinstance(result, Failed):
            return result
    return results[0] if results else Skipped("no device")
