"""The demo café's customers and their conversations (demo.py loads them): in Turkish and English, as a
Turkish business with foreign customers would see them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Person:
    identifier: str
    name: str
    locale: str
    plan: str
    platform: str
    os: str
    os_version: str
    device_model: str
    app_version: str

    @property
    def email(self) -> str:
        return f"{self.name.split()[0].lower()}@example.com"


# identifier | name | locale | plan | platform | os | os version | device | app version
_CONTACT_TABLE = """
u-1001 | Zeynep Arslan | tr | gold   | ios     | iOS     | 18.1 | iPhone 15            | 4.2.0
u-1002 | Burak Yıldız  | tr | free   | android | Android | 14   | Samsung Galaxy S23   | 4.1.3
u-1003 | Emily Carter  | en | free   | ios     | iOS     | 17.6 | iPhone 13            | 4.2.0
u-1004 | Hakan Çelik   | tr | gold   | android | Android | 13   | Xiaomi Redmi Note 12 | 4.0.9
u-1005 | Lukas Becker  | en | free   | web     | macOS   | 14.5 | MacBook Air          | web-2024.11
u-1006 | Selin Koç     | tr | silver | ios     | iOS     | 18.0 | iPhone 14 Pro        | 4.2.0
u-1007 | Daniel Rossi  | en | silver | android | Android | 14   | Google Pixel 8       | 4.2.0
u-1008 | Gizem Aydın   | tr | free   | android | Android | 12   | Oppo A77             | 3.9.5
"""
CONTACTS = [
    Person(*(cell.strip() for cell in line.split("|"))) for line in _CONTACT_TABLE.strip().splitlines()
]


@dataclass(frozen=True, slots=True)
class Story:
    """One conversation: who writes, what is said, and where it ends up."""

    contact: str  # identifier
    subject: str
    # ("contact" | agent e-mail | "note:" + agent e-mail, text)
    messages: list[tuple[str, str]]
    status: str = "open"
    priority: str = "none"
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None  # agent e-mail
    team: str | None = None


STORIES = [
    Story(
        "u-1001",
        "Ödeme başarısız / Payment failed",
        [
            (
                "contact",
                'Merhaba, kartla ödeme yapmaya çalıştım ama "Ödeme başarısız" hatası aldım. '
                "Bankadan para çekildi bildirimi geldi!",
            ),
            (
                "ayse@demo.destek",
                "Merhaba Zeynep Hanım, yaşadığınız sorun için üzgünüz. Sipariş "
                "numaranızı ve kartınızın son 4 hanesini paylaşır mısınız?",
            ),
            ("contact", "Sipariş no 48213, kartın son 4 hanesi 4417."),
            (
                "note:ayse@demo.destek",
                "Ödeme sağlayıcısında provizyon var ama sipariş düşmemiş. Teknik ekibe aktarıyorum.",
            ),
        ],
        status="open",
        priority="high",
        labels=["ödeme", "payment"],
        assignee="elif@demo.destek",
        team="Teknik / Technical",
    ),
    Story(
        "u-1003",
        "QR menu not opening",
        [
            (
                "contact",
                "Hi, the QR code on table 12 opens a blank page. My friends have the same "
                "problem. Can we still order?",
            ),
            (
                "elif@demo.destek",
                "Hi Emily, sorry about that! A waiter is on the way to take your "
                "order. Could you tell me which browser opens when you scan the code?",
            ),
            ("contact", "It opens Safari on my iPhone."),
            (
                "note:elif@demo.destek",
                "Safari 17 fails on the new menu bundle; reproduced on staging. "
                "Asked engineering for a hotfix.",
            ),
        ],
        status="pending",
        priority="medium",
        labels=["qr-menu", "bug"],
        assignee="elif@demo.destek",
        team="Teknik / Technical",
    ),
    Story(
        "u-1002",
        "Siparişim görünmüyor",
        [
            (
                "contact",
                'Yarım saat önce uygulamadan sipariş verdim ama "Siparişlerim" sayfasında '
                "görünmüyor. Hazırlanıyor mu?",
            ),
        ],
        status="open",
        priority="urgent",
        labels=["sipariş"],
        team="Genel Destek / General",
    ),
    Story(
        "u-1005",
        "Forgot password",
        [
            ("contact", "I forgot my password and the reset e-mail never arrives."),
            (
                "mehmet@demo.destek",
                "Hi Lukas, I have sent a new reset link to lukas@example.com. "
                "Please check your spam folder too; the link is valid for 30 minutes.",
            ),
            ("contact", "Got it, I could log in. Thanks!"),
            ("mehmet@demo.destek", "Glad to hear it. Enjoy your coffee! ☕"),
        ],
        status="resolved",
        priority="low",
        labels=["account"],
        assignee="mehmet@demo.destek",
        team="Genel Destek / General",
    ),
    Story(
        "u-1004",
        "Hesap kapanmıyor",
        [
            (
                "contact",
                "Masa 7'deyiz, hesabı uygulamadan ödedik ama masada hâlâ açık görünüyor. "
                "Garson da kapatamadı, çıkamıyoruz.",
            ),
            (
                "ayse@demo.destek",
                "Hakan Bey merhaba, ödemeniz bize ulaştı. Masanın hesabını "
                "kapatmak için mühendislik ekibimize ilettim, birkaç dakika içinde dönüş yapacağız.",
            ),
            (
                "note:ayse@demo.destek",
                "POS entegrasyonu ödeme webhook'unu almamış gibi. "
                "Can, bakabilir misin? Masa 7, sipariş 48230.",
            ),
            (
                "note:can@demo.destek",
                "Webhook kuyruğunda 3 dk gecikme var, elle kapattım. Kalıcı çözüm için iş açtım.",
            ),
        ],
        status="open",
        priority="urgent",
        labels=["bug", "pos"],
        assignee="can@demo.destek",
        team="Mühendislik / Engineering",
    ),
    Story(
        "u-1006",
        "Sadakat puanları yüklenmedi",
        [
            ("contact", "Dün 3 kahve aldım ama puanlarım hesabıma yüklenmedi."),
            (
                "mehmet@demo.destek",
                "Selin Hanım merhaba, puanlar 24 saat içinde yükleniyor. Yarın "
                "hâlâ görünmezse bize yazın, elle ekleyelim.",
            ),
        ],
        status="pending",
        priority="low",
        labels=["sadakat"],
        assignee="mehmet@demo.destek",
        team="Genel Destek / General",
    ),
    Story(
        "u-1007",
        "Can I change my order after paying?",
        [
            ("contact", "I paid for a latte but I wanted oat milk. Can I still change it?"),
            (
                "ayse@demo.destek",
                "Hi Daniel! Yes, I have told the barista: your latte will be made "
                "with oat milk, no extra charge.",
            ),
            ("contact", "Perfect, thank you!"),
        ],
        status="resolved",
        priority="none",
        labels=["order"],
        assignee="ayse@demo.destek",
        team="Genel Destek / General",
    ),
    Story(
        "u-1008",
        "Uygulama açılışta çöküyor",
        [
            (
                "contact",
                "Güncellemeden sonra uygulama açılır açılmaz kapanıyor. Telefonu yeniden "
                "başlattım, yine aynı.",
            ),
            (
                "elif@demo.destek",
                "Gizem Hanım merhaba, uygulama sürümünüz 3.9.5 görünüyor. Play "
                "Store'dan 4.2.0'a güncelleyip tekrar dener misiniz?",
            ),
            ("contact", "Play Store'da güncelleme çıkmıyor."),
            (
                "note:elif@demo.destek",
                "Android 12'de 4.x minSdk nedeniyle görünmüyor olabilir; mühendisliğe aktarıldı.",
            ),
        ],
        status="open",
        priority="high",
        labels=["android", "bug"],
        team="Mühendislik / Engineering",
    ),
    Story(
        "u-1003",
        "Charged twice",
        [
            ("contact", "I see two charges of 145 TL on my card for the same order (#48190)."),
            (
                "mehmet@demo.destek",
                "Hi Emily, I can see the second charge as a pending authorisation. "
                "I have asked for it to be released; it should disappear within 3 business days.",
            ),
        ],
        status="open",
        priority="medium",
        labels=["payment", "refund"],
        assignee="mehmet@demo.destek",
        team="Genel Destek / General",
    ),
    Story(
        "u-1001",
        "Kampanya kodu çalışmıyor",
        [
            ("contact", 'KAHVE20 kodunu girince "geçersiz kod" diyor.'),
            (
                "ayse@demo.destek",
                "Zeynep Hanım, KAHVE20 kampanyası dün sona erdi. Size özel "
                "KAHVE15 kodunu tanımladım, bir sonraki siparişinizde kullanabilirsiniz.",
            ),
            ("contact", "Çok teşekkürler!"),
        ],
        status="resolved",
        priority="low",
        labels=["kampanya"],
        assignee="ayse@demo.destek",
        team="Genel Destek / General",
    ),
]


# --- loading ----------------------------------------------------------------------------------------
