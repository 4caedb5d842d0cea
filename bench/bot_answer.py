"""How fast the bot decides whether (and with what) to answer, beside ceilings from the same run.

    .venv/bin/python bench/bot_answer.py                 # a temporary SQLite database
    .venv/bin/python bench/bot_answer.py --postgres      # a scratch database on the local PostgreSQL

It creates 1,000 help-center articles (English and Turkish translations, published) through the
help-center service — the evaluation centers' articles (eval/centers) and synthetic ones — then times
the bot's answer decision — query embedding + the ranking of every article (sentence vectors and
character n-grams) + calibration — over a few hundred of the centers' customer questions
(destek.bot.decide.decide, what the bot runs per customer message). Target: p95 <= 20 ms.
Ceilings measured in the same run: the raw embedding of one query, and a raw numpy top-k over the same
embedding matrix. The last line is one JSON object: {"p50_ms", "p95_ms", "articles", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from destek.accounts import credentials
from destek.accounts import service as accounts
from destek.app import build_state, running
from destek.bot.corpus import load_centers
from destek.bot.decide import decide
from destek.bot.settings import DEFAULT_THRESHOLD
from destek.config import Settings
from destek.helpcenter import embedding as hc_embedding
from destek.helpcenter import index as hc_index
from destek.helpcenter import service as helpcenter
from destek.helpcenter.schemas import ArticleCreate, TranslationIn
from destek.migrate import upgrade
from destek.nlp.registry import get_embedder

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 20.0

# Synthetic articles around the real FAQ: products x problems, in both languages.
PRODUCTS = [
    ("espresso machine", "espresso makinesi"),
    ("gift box", "hediye kutusu"),
    ("oat latte", "yulaf latte"),
    ("cold brew", "soğuk demleme"),
    ("croissant", "kruvasan"),
    ("cheesecake", "cheesecake"),
    ("coffee beans", "kahve çekirdeği"),
    ("tea set", "çay seti"),
    ("mug", "kupa"),
    ("thermos", "termos"),
    ("grinder", "öğütücü"),
    ("filter paper", "filtre kağıdı"),
    ("subscription box", "abonelik kutusu"),
    ("catering order", "toplu sipariş"),
    ("birthday cake", "doğum günü pastası"),
    ("sandwich", "sandviç"),
    ("smoothie", "smoothie"),
    ("hot chocolate", "sıcak çikolata"),
    ("cookie pack", "kurabiye paketi"),
    ("loyalty card", "sadakat kartı"),
]
PROBLEMS = [
    (
        "arrived damaged",
        "hasarlı geldi",
        "Take a photo of the damage and send it from the order page; we replace it.",
        "Hasarın fotoğrafını çekip sipariş sayfasından gönderin; ürünü değiştiriyoruz.",
    ),
    (
        "is missing from my order",
        "siparişimde yok",
        "Report the missing item within 24 hours and we refund it.",
        "Eksik ürünü 24 saat içinde bildirin, bedelini iade ediyoruz.",
    ),
    (
        "tastes wrong",
        "tadı farklı",
        "Tell us the café and time; quality control checks the batch.",
        "Kafe ve saati bize yazın; kalite kontrol partiyi inceler.",
    ),
    (
        "price changed",
        "fiyatı değişti",
        "Prices are updated monthly; the price at checkout is binding.",
        "Fiyatlar aylık güncellenir; ödeme anındaki fiyat geçerlidir.",
    ),
    (
        "is out of stock",
        "stokta yok",
        "Tap Notify me on the product page to hear when it is back.",
        "Ürün sayfasında Haber ver seçeneğine dokunun, geldiğinde bildirelim.",
    ),
    (
        "warranty",
        "garanti",
        "Equipment has a two-year warranty; keep the invoice.",
        "Ekipmanlar iki yıl garantilidir; faturanızı saklayın.",
    ),
    (
        "size options",
        "boyut seçenekleri",
        "Choose small, medium or large before adding to the basket.",
        "Sepete eklemeden önce küçük, orta veya büyük seçin.",
    ),
    (
        "ingredients",
        "içindekiler",
        "The product page lists all ingredients and allergens.",
        "Ürün sayfasında tüm içindekiler ve alerjenler listelenir.",
    ),
    (
        "delivery time",
        "teslimat süresi",
        "Most deliveries take 30 to 45 minutes within the zone.",
        "Bölge içindeki teslimatlar çoğunlukla 30-45 dakika sürer.",
    ),
    (
        "return policy",
        "iade koşulları",
        "Unopened items can be returned within 14 days.",
        "Açılmamış ürünler 14 gün içinde iade edilebilir.",
    ),
    (
        "discount",
        "indirim",
        "Members get 10% off on Mondays with the loyalty card.",
        "Üyeler pazartesi günleri sadakat kartıyla %10 indirim alır.",
    ),
    (
        "how to clean",
        "nasıl temizlenir",
        "Rinse after each use and descale monthly.",
        "Her kullanımdan sonra durulayın, ayda bir kireç çözücü kullanın.",
    ),
    (
        "cannot add to basket",
        "sepete eklenmiyor",
        "Update the app; the basket needs the latest version.",
        "Uygulamayı güncelleyin; sepet en son sürümü gerektirir.",
    ),
    (
        "gift wrapping",
        "hediye paketi",
        "Add gift wrapping at checkout for 15 TL.",
        "Ödeme adımında 15 TL'ye hediye paketi ekleyin.",
    ),
    (
        "bulk pricing",
        "toplu fiyat",
        "Orders over 20 items get a 15% bulk discount.",
        "20 üzeri ürün siparişlerinde %15 toplu indirim uygulanır.",
    ),
    (
        "expiry date",
        "son kullanma tarihi",
        "The expiry date is printed on the bottom of the pack.",
        "Son kullanma tarihi paketin altında yazar.",
    ),
    (
        "international shipping",
        "yurt dışı gönderim",
        "We ship beans and equipment to EU countries.",
        "Çekirdek ve ekipmanları AB ülkelerine gönderiyoruz.",
    ),
    (
        "vegan option",
        "vegan seçenek",
        "Vegan versions are marked with a green leaf in the menu.",
        "Vegan seçenekler menüde yeşil yaprakla işaretlidir.",
    ),
    (
        "reservation",
        "rezervasyon",
        "Reserve a table from the café page up to a week ahead.",
        "Kafe sayfasından bir hafta öncesine kadar masa ayırtın.",
    ),
    (
        "nutrition facts",
        "besin değerleri",
        "Calories and nutrition facts are on each product page.",
        "Kalori ve besin değerleri her ürün sayfasında yer alır.",
    ),
    (
        "colour options",
        "renk seçenekleri",
        "Available colours are shown under the product photos.",
        "Mevcut renkler ürün fotoğraflarının altında gösterilir.",
    ),
    (
        "pre-order",
        "ön sipariş",
        "Pre-order seasonal items from the Coming soon section.",
        "Sezonluk ürünleri Yakında bölümünden ön sipariş verebilirsiniz.",
    ),
    (
        "spare parts",
        "yedek parça",
        "Spare parts can be ordered from the equipment page.",
        "Yedek parçalar ekipman sayfasından sipariş edilebilir.",
    ),
    (
        "quality complaint",
        "kalite şikayeti",
        "Quality complaints are answered within one business day.",
        "Kalite şikayetleri bir iş günü içinde yanıtlanır.",
    ),
    (
        "storage",
        "saklama",
        "Store in a cool, dry place away from sunlight.",
        "Serin ve kuru bir yerde, güneş ışığından uzak saklayın.",
    ),
    (
        "recipe",
        "tarif",
        "Recipes for home brewing are in the Learn section.",
        "Evde demleme tarifleri Öğren bölümündedir.",
    ),
    (
        "replacement",
        "değişim",
        "Replacements ship within two business days.",
        "Değişim ürünleri iki iş günü içinde gönderilir.",
    ),
    (
        "payment in instalments",
        "taksitli ödeme",
        "Orders over 500 TL can be paid in 3 instalments.",
        "500 TL üzeri siparişler 3 taksitle ödenebilir.",
    ),
    (
        "eco packaging",
        "çevreci ambalaj",
        "All packaging is recyclable or compostable.",
        "Tüm ambalajlar geri dönüştürülebilir veya kompost edilebilir.",
    ),
    (
        "student discount",
        "öğrenci indirimi",
        "Students get 15% off with a verified student email.",
        "Öğrenciler doğrulanmış öğrenci e-postasıyla %15 indirim alır.",
    ),
    (
        "corporate gifts",
        "kurumsal hediye",
        "Corporate gift orders get a custom card and logo.",
        "Kurumsal hediye siparişlerine özel kart ve logo eklenir.",
    ),
    (
        "tracking number",
        "takip numarası",
        "The tracking number is in the shipping email.",
        "Takip numarası kargo e-postasında yer alır.",
    ),
    (
        "sugar free",
        "şekersiz",
        "Ask for the sugar-free syrup when ordering.",
        "Sipariş verirken şekersiz şurup isteyin.",
    ),
    (
        "temperature",
        "sıcaklık",
        "Hot drinks are served at 65 °C; ask for extra hot if you like.",
        "Sıcak içecekler 65 °C'de servis edilir; isterseniz daha sıcak isteyin.",
    ),
    (
        "voltage",
        "voltaj",
        "Machines run on 220–240 V; do not use converters.",
        "Makineler 220–240 V ile çalışır; dönüştürücü kullanmayın.",
    ),
    (
        "manual",
        "kullanım kılavuzu",
        "Manuals can be downloaded as PDF from the product page.",
        "Kullanım kılavuzları ürün sayfasından PDF olarak indirilebilir.",
    ),
    (
        "assembly",
        "kurulum",
        "Assembly takes ten minutes; a video guide is on the product page.",
        "Kurulum on dakika sürer; ürün sayfasında video rehberi vardır.",
    ),
    (
        "noise",
        "ses",
        "Some noise while grinding is normal; rattling is not — contact us.",
        "Öğütürken bir miktar ses normaldir; tıkırtı ise değildir, bize yazın.",
    ),
    (
        "leaking",
        "sızdırıyor",
        "Check the seal and the water tank position; replace the seal if worn.",
        "Contayı ve su haznesinin yerini kontrol edin; conta aşındıysa değiştirin.",
    ),
    (
        "lid",
        "kapak",
        "Lids are sold separately in packs of four.",
        "Kapaklar dörtlü paketler halinde ayrıca satılır.",
    ),
    (
        "caffeine content",
        "kafein miktarı",
        "A single espresso has about 63 mg of caffeine.",
        "Tek shot espresso yaklaşık 63 mg kafein içerir.",
    ),
    (
        "decaf",
        "kafeinsiz",
        "Every coffee drink can be made with decaf beans.",
        "Her kahve içeceği kafeinsiz çekirdekle hazırlanabilir.",
    ),
    (
        "milk alternatives",
        "süt alternatifleri",
        "Oat, almond and soy milk are available at no extra cost.",
        "Yulaf, badem ve soya sütü ek ücretsiz sunulur.",
    ),
    (
        "cup size",
        "bardak boyu",
        "Small is 240 ml, medium 350 ml and large 470 ml.",
        "Küçük 240 ml, orta 350 ml, büyük 470 ml'dir.",
    ),
    (
        "wifi",
        "kablosuz internet",
        "Free wifi is available in every café for two hours.",
        "Tüm kafelerde iki saat ücretsiz kablosuz internet vardır.",
    ),
    (
        "pet friendly",
        "evcil hayvan",
        "Pets are welcome on terraces.",
        "Evcil hayvanlar teraslarda kabul edilir.",
    ),
    (
        "opening soon",
        "yakında açılıyor",
        "New cafés are announced in the app two weeks before opening.",
        "Yeni kafeler açılıştan iki hafta önce uygulamada duyurulur.",
    ),
    (
        "charging",
        "şarj",
        "Most tables have sockets and USB chargers.",
        "Çoğu masada priz ve USB şarj girişi vardır.",
    ),
    (
        "music",
        "müzik",
        "Playlists are chosen by each café's team.",
        "Çalma listeleri her kafenin ekibince seçilir.",
    ),
    (
        "parking",
        "otopark",
        "Cafés in malls validate parking for one hour.",
        "AVM'deki kafeler bir saatlik otopark onayı verir.",
    ),
]


def articles(count: int) -> list[ArticleCreate]:
    made: list[ArticleCreate] = []
    for center in load_centers():
        grouped: dict[str, dict[str, TranslationIn]] = {}
        for document in center.bundle.documents:
            grouped.setdefault(document.key, {})[document.locale] = document.translation
        made += [ArticleCreate(key=f"{center.name}-{key}", translations=t) for key, t in grouped.items()]
    for n, ((p_en, p_tr), (q_en, q_tr, a_en, a_tr)) in enumerate(itertools.product(PRODUCTS, PROBLEMS)):
        if len(made) >= count:
            break
        made.append(
            ArticleCreate(
                key=f"synthetic-{n}",
                translations={
                    "en": TranslationIn(
                        title=f"{p_en.capitalize()}: {q_en}",
                        summary=f"About the {p_en}: {q_en}.",
                        body=f"Questions about the {p_en} and {q_en}. {a_en} Write to us if not solved.",
                        status="published",
                    ),
                    "tr": TranslationIn(
                        title=f"{p_tr.capitalize()}: {q_tr}",
                        summary=f"{p_tr.capitalize()} hakkında: {q_tr}.",
                        body=f"{p_tr.capitalize()}: {q_tr} ile ilgili sorular. {a_tr} Olmazsa bize yazın.",
                        status="published",
                    ),
                },
            )
        )
    return made[:count]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def scratch_database(postgres: bool) -> AsyncIterator[str]:
    if not postgres:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            await asyncio.to_thread(upgrade, url)
            yield url
        return
    name = f"bench_bot_{uuid.uuid4().hex[:8]}"
    admin = DEFAULT_PG.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = DEFAULT_PG.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def main(count: int, rounds: int, postgres: bool) -> dict[str, Any]:
    # Each question with the key its article gets here (none for one the help center does not answer).
    asked = [
        (q.text, q.lang, f"{center.name}-{q.article}" if q.article else None)
        for center in load_centers()
        for q in center.questions
    ]
    workload = list(itertools.islice(itertools.cycle(asked[::3]), rounds))
    tmp = tempfile.mkdtemp(prefix="destek-bench-")
    async with scratch_database(postgres) as url:
        settings = Settings(database_url=url, data_dir=Path(tmp), run_consumers=False)
        async with running(build_state(settings)) as state:
            async with state.uow() as session:
                account = await accounts.create_account(session, name="Bench cafe")
                owner = await credentials.create_user(
                    session, email="bench@example.com", name="Bench", password=None
                )
                await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
                account_id, owner_id = account.id, owner.id
            started = time.perf_counter()
            batch = articles(count)
            keys: dict[int, str] = {}
            for start in range(0, len(batch), 100):
                async with state.uow() as session:
                    actor = await accounts.actor_for(session, account_id=account_id, user_id=owner_id)
                    for data in batch[start : start + 100]:
                        article, _translations = await helpcenter.create_article(
                            session, actor=actor, data=data
                        )
                        keys[article.id] = article.key
            load_s = time.perf_counter() - started
            print(
                f"created {len(batch)} articles ({2 * len(batch)} translations) in {load_s:.1f} s", flush=True
            )
            async with state.read() as session:  # warm up: the index is built on the first search
                await decide(session, account_id=account_id, question="warm up", language="en")
            timings: list[float] = []
            answered = right = 0
            for question, language, wanted in workload:
                hc_embedding.forget_query_vectors()  # every question is new: its embedding is timed too
                async with state.read() as session:
                    t0 = time.perf_counter()
                    decision = await decide(
                        session, account_id=account_id, question=question, language=language
                    )
                    timings.append((time.perf_counter() - t0) * 1000)
                if decision.answers(DEFAULT_THRESHOLD) and decision.hit is not None:
                    answered += 1
                    right += keys[decision.hit.article_id] == wanted
            index = hc_index.cached(account_id)
            assert index is not None
    shutil.rmtree(tmp, ignore_errors=True)
    embedder = get_embedder()
    embed_ms: list[float] = []
    topk_ms: list[float] = []
    matrix = index.matrix
    for question, _language, _wanted in workload:
        t0 = time.perf_counter()
        vector = embedder.embed([question])[0]
        embed_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        scores = matrix @ vector
        top = np.argpartition(-scores, 30)[:30]
        top[np.argsort(-scores[top])]
        topk_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "articles": len(batch),
        "questions": len(workload),
        "chunks": int(matrix.shape[0]),
        "embedder": embedder.name,
        "embed_p50_ms": round(percentile(embed_ms, 50), 2),
        "embed_p95_ms": round(percentile(embed_ms, 95), 2),
        "topk_p50_ms": round(percentile(topk_ms, 50), 3),
        "topk_p95_ms": round(percentile(topk_ms, 95), 3),
        "answered": answered,
        "answered_right": right,
        "threshold": DEFAULT_THRESHOLD,
        "database": "postgresql" if postgres else "sqlite",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument(
        "--postgres", action="store_true", help="use a scratch database on the local PostgreSQL"
    )
    args = parser.parse_args()
    result = asyncio.run(main(args.articles, args.questions, args.postgres))
    print(
        f"bot answer decision over {result['articles']} articles"
        f" ({result['chunks']} chunks, {result['database']}):"
    )
    print(
        f"  p50 {result['p50_ms']:.2f} ms   p95 {result['p95_ms']:.2f} ms"
        f"   (target p95 <= {TARGET_P95_MS:.0f} ms)"
    )
    print(
        f"  ceiling: embedding one query ({result['embedder']}) p50 {result['embed_p50_ms']:.2f} ms, "
        f"p95 {result['embed_p95_ms']:.2f} ms"
    )
    print(
        f"  ceiling: raw numpy top-30 over the same matrix p50 {result['topk_p50_ms']:.3f} ms, "
        f"p95 {result['topk_p95_ms']:.3f} ms"
    )
    print(
        f"  answered at the default threshold ({DEFAULT_THRESHOLD}): {result['answered']} of "
        f"{result['questions']} questions, {result['answered_right']} with the article labelled for it"
    )
    print(json.dumps(result))
