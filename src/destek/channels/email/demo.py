"""The demo café's e-mail inbox: two customers' mails taken in through the real path (kept, parsed,
threaded), so `destek demo` shows an e-mail conversation with its quoted history folded and its copies.
It has no mail server: replies are marked failed with the reason until one is set in Settings."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.channels import intake
from destek.channels import service as channels
from destek.channels.email.reading import read
from destek.channels.email.settings import EmailSettings
from destek.state import AppState

ADDRESS = "destek@lokanta-demo.com.tr"


def _mail(sender: str, subject: str, body: str, *, cc: str | None = None, days_ago: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Lokanta Destek <{ADDRESS}>"
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain="musteri.example")
    message.set_content(body)
    return bytes(message)


MAILS = [
    _mail(
        "Zeynep Kaya <zeynep.kaya@musteri.example>",
        "Kasım faturası iki kez çekilmiş",
        "Merhaba,\n\nKasım ayı aboneliğim kartımdan iki kez çekildi. Birini iade edebilir misiniz?\n"
        "Ekran görüntüsünü de gönderebilirim.\n\nTeşekkürler,\nZeynep\n\n"
        "3 Ara 2026 Çar, 10:12 tarihinde Lokanta Destek <destek@lokanta-demo.com.tr> şunu yazdı:\n"
        "> Merhaba Zeynep Hanım, faturanız ekte.\n> Lokanta Destek Ekibi\n",
        cc="Muhasebe <muhasebe@musteri.example>",
    ),
    _mail(
        "Tom Baker <tom.baker@example.co.uk>",
        "QR menu shows prices in the wrong currency",
        "Hello,\n\nWe are visiting Istanbul and the QR menu at your Kadıköy branch shows the prices in "
        "euros but charges in lira. Which one is right?\n\nBest,\nTom\n\nSent from my iPhone\n",
    ),
]


async def load_demo_mail(
    state: AppState, *, account_id: int, owner_user_id: int, agent_ids: list[int]
) -> None:
    settings = EmailSettings(address=ADDRESS, display_name="Lokanta Destek", signature="Lokanta Destek Ekibi")
    async with state.uow() as session:
        actor = await accounts.actor_for(session, account_id=account_id, user_id=owner_user_id)
        inbox = await inbox_service.create_inbox(
            session, account_id=account_id, name="Lokanta Destek (e-posta)", channel_type="email"
        )
        await inbox_service.set_inbox_members(session, actor=actor, inbox_id=inbox.id, user_ids=agent_ids)
        await channels.configure(
            session, inbox=inbox, sealer=state.sealer, settings=settings.model_dump(mode="json")
        )
    for raw in MAILS:
        await intake.take(
            state,
            inbox=inbox,
            kind="email",
            raw=raw,
            source="demo",
            parser=lambda body: read(body, settings),
            content_type="message/rfc822",
        )
