"""Help-center content for tests, written through the service as an owner would."""

from __future__ import annotations

from typing import Any

from destek.accounts import service as accounts
from destek.helpcenter import categories as category_service
from destek.helpcenter import service
from destek.helpcenter.schemas import ArticleCreate, CategoryIn, TranslationIn
from destek.state import AppState
from tests.support.factories import Tenant

PASSWORD_TR = TranslationIn(
    title="Şifremi unuttum",
    summary="Şifrenizi uygulamadan birkaç adımda sıfırlayabilirsiniz.",
    body="Giriş ekranında **Şifremi unuttum** bağlantısına dokunun.\n\n## E-posta gelmedi mi?\n\n"
    "Gereksiz klasörünü kontrol edin; bağlantı 30 dakika geçerlidir.",
    status="published",
)
PASSWORD_EN = TranslationIn(
    title="I forgot my password",
    summary="Reset your password from the app in a few steps.",
    body="On the sign-in screen, tap **Forgot password**.\n\n## No e-mail?\n\n"
    "Check your spam folder; the link is valid for 30 minutes.",
    status="published",
)
CHARGED_TWICE_EN = TranslationIn(
    title="Charged twice for one order",
    summary="A second charge is a pending authorisation that your bank releases.",
    body="If you see two identical amounts on your statement, one of them is usually a hold that "
    "disappears within 3 business days.\n\n## Still there?\n\nSend us the order number.",
    status="published",
)
QR_MENU_EN = TranslationIn(
    title="The QR menu does not open",
    summary="Scan again with the camera app and check your connection.",
    body="Point the camera at the code on the table. If nothing happens, open the link by hand.",
    status="published",
)


async def owner(state: AppState, tenant: Tenant) -> accounts.Actor:
    async with state.read() as session:
        return await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)


async def make_category(state: AppState, tenant: Tenant, key: str, **names: str) -> int:
    actor = await owner(state, tenant)
    async with state.uow() as session:
        category = await category_service.create_category(
            session, actor=actor, data=CategoryIn(key=key, names=names or {"en": key.title()})
        )
        return category.id


async def make_article(
    state: AppState,
    tenant: Tenant,
    translations: dict[str, TranslationIn],
    *,
    key: str | None = None,
    category_id: int | None = None,
) -> int:
    actor = await owner(state, tenant)
    async with state.uow() as session:
        article, _ = await service.create_article(
            session,
            actor=actor,
            data=ArticleCreate(key=key, category_id=category_id, translations=translations),
        )
        return article.id


def draft(translation: TranslationIn, **changes: Any) -> TranslationIn:
    return translation.model_copy(update={"status": "draft", **changes})
