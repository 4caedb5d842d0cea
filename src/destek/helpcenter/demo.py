"""The demo café's help center: a restaurant ordering and payment app, in English and Turkish."""

# ruff: noqa: E501 (article text)

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor
from destek.helpcenter import categories as category_service
from destek.helpcenter import service
from destek.helpcenter.schemas import ArticleCreate, CategoryIn, TranslationIn

CATEGORIES = [
    # key, English, Turkish, English description, Turkish description
    ("payment", "Payment", "Ödeme", "Cards, refunds, tips and bills", "Kartlar, iadeler, bahşiş ve hesap"),
    ("order", "Order", "Sipariş", "Ordering at the table and from home", "Masadan ve evden sipariş"),
    ("technical", "Technical", "Teknik", "The app and the QR menu", "Uygulama ve QR menü"),
    ("account", "Account", "Hesap", "Sign-in, e-mail and your data", "Giriş, e-posta ve verileriniz"),
]

# key, category, (English title, summary, body), (Turkish title, summary, body)
ARTICLES: list[tuple[str, str, tuple[str, str, str], tuple[str, str, str]]] = [
    (
        "password-reset",
        "account",
        (
            "I forgot my password",
            "Reset your password from the sign-in screen in under a minute.",
            "1. Open the app and tap **Sign in**.\n2. Tap **Forgot password?**\n3. Enter the e-mail address "
            "of your account and tap **Send link**.\n4. Open the e-mail from Demo Cafe and choose a new "
            "password.\n\n## The e-mail did not arrive\n\nCheck your spam or promotions folder. The link is "
            "valid for 30 minutes; ask for a new one if it has expired.\n\n## Still stuck?\n\nWrite to us "
            "from the chat with the e-mail address you signed up with.",
        ),
        (
            "Şifremi unuttum",
            "Şifrenizi giriş ekranından bir dakikada sıfırlayabilirsiniz.",
            "1. Uygulamayı açın ve **Giriş yap**'a dokunun.\n2. **Şifremi unuttum**'a dokunun.\n3. Hesabınızın "
            "e-posta adresini yazıp **Bağlantı gönder**'e dokunun.\n4. Demo Cafe'den gelen e-postayı açın ve "
            "yeni şifrenizi belirleyin.\n\n## E-posta gelmedi\n\nGereksiz (spam) ve promosyonlar klasörüne "
            "bakın. Bağlantı 30 dakika geçerlidir; süresi dolduysa yenisini isteyin.\n\n## Hâlâ giremiyor "
            "musunuz?\n\nKayıt olduğunuz e-posta adresiyle sohbetten bize yazın.",
        ),
    ),
    (
        "order-not-visible",
        "order",
        (
            "My order is not visible",
            "If your order does not show in the app, refresh the order list and check the table.",
            "Orders appear under **My orders** within a few seconds.\n\n## What to try\n\n- Pull down on "
            "**My orders** to refresh.\n- Make sure you scanned the QR code of *your* table: an order "
            "placed on another table shows there.\n- Check your connection; an order sent offline is "
            "sent when you are back online.\n\nIf the order is still missing after two minutes, tell your "
            "waiter or write to us with the table number.",
        ),
        (
            "Siparişim görünmüyor",
            "Siparişiniz uygulamada görünmüyorsa sipariş listesini yenileyin ve masayı kontrol edin.",
            "Siparişler birkaç saniye içinde **Siparişlerim** altında görünür.\n\n## Neler deneyebilirsiniz\n\n"
            "- **Siparişlerim** ekranını aşağı çekip yenileyin.\n- *Kendi* masanızın QR kodunu okuttuğunuzdan "
            "emin olun: başka masadan verilen sipariş o masada görünür.\n- Bağlantınızı kontrol edin; "
            "çevrimdışıyken verilen sipariş bağlantı gelince gönderilir.\n\nİki dakika sonra hâlâ "
            "görünmüyorsa garsonunuza söyleyin ya da masa numarasıyla bize yazın.",
        ),
    ),
    (
        "payment-failed",
        "payment",
        (
            "My payment failed",
            "A declined payment is usually a card limit, 3D Secure or a connection problem.",
            "When a payment fails, no money is taken and your bill stays open.\n\n## Common causes\n\n- "
            "**3D Secure**: the bank's confirmation screen was closed or timed out. Try again and approve "
            "it in your banking app.\n- **Limit or balance**: check your card's online-shopping limit.\n- "
            "**Expired card**: update the card under **Payment methods**.\n\nTry another card, or pay "
            "your waiter at the table.",
        ),
        (
            "Ödemem başarısız oldu",
            "Reddedilen ödeme çoğunlukla kart limiti, 3D Secure ya da bağlantı sorunudur.",
            "Ödeme başarısız olduğunda para çekilmez ve hesabınız açık kalır.\n\n## Sık nedenler\n\n- "
            "**3D Secure**: bankanın onay ekranı kapandı ya da süresi doldu. Yeniden deneyin ve banka "
            "uygulamanızdan onaylayın.\n- **Limit veya bakiye**: kartınızın internet alışverişi limitini "
            "kontrol edin.\n- **Süresi dolmuş kart**: **Ödeme yöntemleri**'nden kartınızı güncelleyin.\n\n"
            "Başka bir kart deneyin ya da masada garsona ödeyin.",
        ),
    ),
    (
        "charged-twice",
        "payment",
        (
            "I was charged twice",
            "A second charge is usually a temporary hold that your bank releases within a few days.",
            "If you see the same amount twice, one of them is almost always a **pre-authorisation** (a "
            "hold) from a failed first attempt. It is not taken: your bank releases it within 1–7 business "
            "days.\n\n## When to write to us\n\nIf both amounts are still there after 7 days, send us the "
            "order number and a screenshot of your statement. We refund a real double charge at once.",
        ),
        (
            "Param iki kez çekildi",
            "İkinci çekim çoğunlukla bankanızın birkaç gün içinde kaldırdığı geçici bir provizyondur.",
            "Aynı tutarı iki kez görüyorsanız biri neredeyse her zaman başarısız ilk denemeden kalan "
            "**provizyondur** (bloke). Bu tutar çekilmez: bankanız 1–7 iş günü içinde serbest "
            "bırakır.\n\n## Ne zaman bize yazmalısınız\n\n7 gün sonra iki tutar da hâlâ duruyorsa sipariş "
            "numarasını ve hesap ekstrenizin ekran görüntüsünü gönderin. Gerçek çift çekimi hemen iade "
            "ederiz.",
        ),
    ),
    (
        "bill-will-not-close",
        "payment",
        (
            "My bill will not close",
            "A bill stays open until every item is paid or the waiter closes it.",
            "A bill closes by itself when everything on it is paid.\n\n## Why it stays open\n\n- Someone "
            "at the table is still paying their share.\n- A payment is waiting for 3D Secure approval.\n- "
            "An item was added after you paid (for example a drink).\n\nPull down to refresh the bill. If "
            "it shows **Paid** but stays open, ask your waiter to close it.",
        ),
        (
            "Hesabım kapanmıyor",
            "Hesap, tüm kalemler ödenene ya da garson kapatana kadar açık kalır.",
            "Hesap, üzerindeki her şey ödendiğinde kendiliğinden kapanır.\n\n## Neden açık kalır\n\n- "
            "Masadan biri hâlâ kendi payını ödüyor.\n- Bir ödeme 3D Secure onayı bekliyor.\n- Siz "
            "ödedikten sonra yeni bir ürün eklendi (örneğin bir içecek).\n\nHesabı yenilemek için aşağı "
            "çekin. **Ödendi** görünüyor ama kapanmıyorsa garsondan kapatmasını isteyin.",
        ),
    ),
    (
        "qr-menu-not-opening",
        "technical",
        (
            "The QR menu does not open",
            "Scan the code with your phone's camera and check your connection.",
            "1. Open the camera app and point it at the QR code on the table for a second.\n2. Tap the "
            "link that appears.\n\n## Nothing happens\n\n- Clean the camera lens and move a little closer.\n"
            "- Turn on mobile data or join the café's Wi-Fi.\n- Update the Demo Cafe app from the App Store "
            "or Google Play.\n\nYou can also type the short code printed under the QR code into the app.",
        ),
        (
            "QR menü açılmıyor",
            "Kodu telefonunuzun kamerasıyla okutun ve bağlantınızı kontrol edin.",
            "1. Kamera uygulamasını açın ve masadaki QR koda bir saniye tutun.\n2. Çıkan bağlantıya "
            "dokunun.\n\n## Hiçbir şey olmuyor\n\n- Kamera merceğini silin ve biraz yaklaşın.\n- Mobil veriyi "
            "açın ya da kafenin Wi-Fi ağına bağlanın.\n- Demo Cafe uygulamasını App Store veya Google "
            "Play'den güncelleyin.\n\nQR kodun altındaki kısa kodu uygulamaya yazarak da menüyü açabilirsiniz.",
        ),
    ),
    (
        "refund",
        "payment",
        (
            "How do refunds work?",
            "Refunds go back to the card you paid with, in 3–10 business days.",
            "We refund to the card you paid with; we cannot refund to another card or in cash.\n\n## How "
            "long it takes\n\nThe refund leaves us at once, and your bank shows it within 3–10 business "
            "days, depending on the bank.\n\n## Asking for a refund\n\nOpen the order under **My orders**, "
            "tap **Report a problem** and tell us what went wrong.",
        ),
        (
            "İade nasıl yapılır?",
            "İadeler ödeme yaptığınız karta 3–10 iş günü içinde yansır.",
            "İadeyi ödeme yaptığınız karta yaparız; başka karta ya da nakit iade yapamayız.\n\n## Ne kadar "
            "sürer\n\nİade bizden hemen çıkar; bankanıza göre 3–10 iş günü içinde hesabınızda "
            "görünür.\n\n## İade istemek\n\n**Siparişlerim**'de siparişi açın, **Sorun bildir**'e dokunun "
            "ve ne olduğunu yazın.",
        ),
    ),
    (
        "change-email",
        "account",
        (
            "Changing my e-mail address",
            "Change the e-mail of your account under Profile, then confirm the new address.",
            "1. Go to **Profile → Account**.\n2. Tap **E-mail** and type the new address.\n3. Open the "
            "confirmation e-mail we send to the new address.\n\nUntil you confirm, receipts keep going to "
            "the old address.",
        ),
        (
            "E-posta adresimi değiştirmek",
            "Hesabınızın e-postasını Profil'den değiştirin ve yeni adresi onaylayın.",
            "1. **Profil → Hesap**'a gidin.\n2. **E-posta**'ya dokunup yeni adresi yazın.\n3. Yeni adrese "
            "gönderdiğimiz onay e-postasını açın.\n\nOnaylayana kadar fişler eski adrese gitmeye devam eder.",
        ),
    ),
    (
        "delete-account",
        "account",
        (
            "Deleting my account",
            "You can delete your account and personal data from the app at any time.",
            "Go to **Profile → Account → Delete account** and confirm with your password.\n\n## What is "
            "deleted\n\nYour profile, saved cards and order history are deleted within 30 days. Invoices "
            "are kept for as long as the law requires.\n\nOpen bills must be paid before the account can "
            "be deleted.",
        ),
        (
            "Hesabımı silmek",
            "Hesabınızı ve kişisel verilerinizi istediğiniz zaman uygulamadan silebilirsiniz.",
            "**Profil → Hesap → Hesabı sil**'e gidin ve şifrenizle onaylayın.\n\n## Neler silinir\n\n"
            "Profiliniz, kayıtlı kartlarınız ve sipariş geçmişiniz 30 gün içinde silinir. Faturalar yasanın "
            "gerektirdiği süre boyunca saklanır.\n\nHesap silinmeden önce açık hesapların ödenmesi gerekir.",
        ),
    ),
    (
        "app-crashes",
        "technical",
        (
            "The app crashes or freezes",
            "Update the app, restart your phone and free some storage.",
            "## Quick fixes\n\n1. Update Demo Cafe to the latest version.\n2. Close the app completely and "
            "open it again.\n3. Restart your phone.\n4. Make sure you have at least 500 MB of free "
            "storage.\n\n## Still crashing?\n\nWrite to us from **Profile → Help** and tell us your phone "
            "model and app version: the chat sends them for you.",
        ),
        (
            "Uygulama çöküyor ya da donuyor",
            "Uygulamayı güncelleyin, telefonunuzu yeniden başlatın ve yer açın.",
            "## Hızlı çözümler\n\n1. Demo Cafe'yi son sürüme güncelleyin.\n2. Uygulamayı tamamen kapatıp "
            "yeniden açın.\n3. Telefonunuzu yeniden başlatın.\n4. En az 500 MB boş alan olduğundan emin "
            "olun.\n\n## Hâlâ çöküyor mu?\n\n**Profil → Yardım**'dan bize yazın; telefon modelinizi ve "
            "uygulama sürümünü sohbet sizin için gönderir.",
        ),
    ),
    (
        "split-the-bill",
        "payment",
        (
            "Splitting the bill",
            "Pay only your items, or split the total equally with your table.",
            "Open the bill and tap **Split**.\n\n- **By item**: tick what you had and pay for it.\n- "
            "**Equally**: choose how many people share the bill.\n\nEveryone at the table can pay their "
            "share from their own phone by scanning the same QR code. The bill closes when the last share "
            "is paid.",
        ),
        (
            "Hesabı bölmek",
            "Yalnızca kendi ürünlerinizi ödeyin ya da toplamı masayla eşit bölün.",
            "Hesabı açın ve **Böl**'e dokunun.\n\n- **Ürüne göre**: yediklerinizi işaretleyip ödeyin.\n- "
            "**Eşit**: hesabı kaç kişinin paylaşacağını seçin.\n\nMasadaki herkes aynı QR kodu okutup kendi "
            "payını kendi telefonundan ödeyebilir. Son pay ödenince hesap kapanır.",
        ),
    ),
    (
        "tipping",
        "payment",
        (
            "Adding a tip",
            "Add a tip for your waiter when you pay; all of it goes to the staff.",
            "On the payment screen choose **5%**, **10%**, **15%** or **Custom** under **Tip**.\n\nThe whole "
            "tip goes to the staff of the café. A tip cannot be changed after the payment, but you can "
            "add another one from the receipt.",
        ),
        (
            "Bahşiş eklemek",
            "Ödeme yaparken garsonunuz için bahşiş ekleyin; tamamı çalışanlara gider.",
            "Ödeme ekranında **Bahşiş** altında **%5**, **%10**, **%15** ya da **Diğer**'i seçin.\n\n"
            "Bahşişin tamamı kafe çalışanlarına gider. Ödemeden sonra bahşiş değiştirilemez, ancak fişten "
            "yeni bir bahşiş ekleyebilirsiniz.",
        ),
    ),
    (
        "order-from-home",
        "order",
        (
            "Ordering for pick-up",
            "Order from home and pick your order up at the counter when it is ready.",
            "Choose **Pick-up** on the home screen, pick a time and pay in the app. We send a notification "
            "when your order is ready; show the order number at the counter.",
        ),
        (
            "Gel-al sipariş vermek",
            "Evden sipariş verin, hazır olunca tezgâhtan alın.",
            "Ana ekranda **Gel-al**'ı seçin, bir saat belirleyin ve uygulamadan ödeyin. Siparişiniz "
            "hazır olunca bildirim göndeririz; tezgâhta sipariş numarasını gösterin.",
        ),
    ),
]


async def load_demo_articles(session: AsyncSession, *, actor: Actor) -> int:
    """Categories and published articles in English and Turkish; returns how many articles."""
    categories: dict[str, int] = {}
    for position, (key, en, tr, en_description, tr_description) in enumerate(CATEGORIES):
        category = await category_service.create_category(
            session,
            actor=actor,
            data=CategoryIn(
                key=key,
                names={"en": en, "tr": tr},
                descriptions={"en": en_description, "tr": tr_description},
                position=position,
            ),
        )
        categories[key] = category.id
    site = await service.site(session, account_id=actor.account_id)
    site.default_locale = "tr"
    for position, (key, category_key, english, turkish) in enumerate(ARTICLES):
        translations = {
            locale: TranslationIn(title=title, summary=summary, body=body, status="published")
            for locale, (title, summary, body) in (("en", english), ("tr", turkish))
        }
        await service.create_article(
            session,
            actor=actor,
            data=ArticleCreate(
                key=key, category_id=categories[category_key], position=position, translations=translations
            ),
        )
    return len(ARTICLES)
