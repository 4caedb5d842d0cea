"""The demo account's canned responses and label colours (called by destek.demo)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor
from destek.canned import labels as label_admin
from destek.canned import service as canned
from destek.conversations import labels as conversation_labels

CANNED = (
    (
        "merhaba",
        "Karşılama",
        "Merhaba {{contact.first_name}}, ben {{agent.name}}. {{account.name}} destek ekibindeyim, "
        "nasıl yardımcı olabilirim?",
    ),
    (
        "hello",
        "Greeting",
        "Hi {{contact.first_name}}, this is {{agent.name}} from {{account.name}}. How can I help?",
    ),
    (
        "iade",
        "İade süreci",
        "İade talebiniz alındı. Tutar 3-5 iş günü içinde kartınıza yansır. Konuşma numaranız: "
        "#{{conversation.number}}.",
    ),
    (
        "refund",
        "Refund timeline",
        "Your refund is on its way: it reaches your card in 3-5 business days. Your reference is "
        "#{{conversation.number}}.",
    ),
    (
        "ekran-goruntusu",
        "Ekran görüntüsü iste",
        "Sorunu daha iyi anlamak için hatanın ekran görüntüsünü buraya ekleyebilir misiniz?",
    ),
    (
        "thanks",
        "Closing",
        "Thanks for reaching out, {{contact.first_name}}! If anything else comes up, just write here.",
    ),
)

LABEL_COLORS = {
    "bug": "#dc2626",
    "payment": "#2563eb",
    "ödeme": "#2563eb",
    "refund": "#7c3aed",
    "order": "#d97706",
    "sipariş": "#d97706",
    "kampanya": "#059669",
    "sadakat": "#db2777",
}


async def load_demo_canned(session: AsyncSession, *, actor: Actor) -> None:
    for short_code, title, content in CANNED:
        await canned.create(session, actor=actor, short_code=short_code, title=title, content=content)
    for label in await conversation_labels.list_labels(session, account_id=actor.account_id):
        color = LABEL_COLORS.get(label.name)
        if color:
            await label_admin.update_label(session, actor=actor, label_id=label.id, color=color)
