"""Marker rules for sentiment and urgency: strong, unambiguous phrases in Turkish and English.

Patterns match folded text (destek.nlp.text.fold: lowercase, no diacritics), so "REZALET",
"rezaletsiniz" and "iptal edecegim" typed without Turkish letters all count. Turkish words are matched
by stem ("dolandiric" + any suffix) because suffixes pile up. Keep each marker specific: a marker that
fires on ordinary questions ("how do I cancel?") teaches agents to ignore the flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from destek.nlp.text import fold

S = r"\w*"  # any Turkish suffix chain


@dataclass(frozen=True)
class Marker:
    name: str
    pattern: re.Pattern[str]
    negative: float = 0.0
    positive: float = 0.0
    urgency: float = 0.0
    statement: bool = False  # only as a statement: "how do I cancel my plan?" is a question, not a threat


def _m(
    name: str,
    *alternatives: str,
    negative: float = 0.0,
    positive: float = 0.0,
    urgency: float = 0.0,
    statement: bool = False,
) -> Marker:
    pattern = "|".join(rf"\b{alt}" for alt in alternatives)
    return Marker(name, re.compile(pattern), negative, positive, urgency, statement)


def _words(words: str) -> str:
    """ "a b c" -> "(a|b|c)\\b": whole English words."""
    return "(" + "|".join(words.split()) + r")\b"


MARKERS: tuple[Marker, ...] = (
    # --- strong negative words ---
    _m("rezalet", f"rezalet{S}", f"rezil{S}", f"skandal{S}", negative=1.2),
    _m("berbat", f"berbat{S}", f"igrenc{S}", f"felaket{S}", negative=1.0),
    _m("sacmalik", f"sacma{S}", f"kabul edilemez{S}", "akil alir gibi degil", negative=0.9),
    _m("biktim", r"biktim\b", r"biktik\b", r"yeter artik\b", f"bikmis{S}", r"usandim\b", negative=0.9),
    _m(
        "beceriksiz",
        f"beceriksiz{S}",
        f"sorumsuz{S}",
        r"ayip\b",
        r"yazik\b",
        r"ne bicim\b",
        f"utanma{S}",
        negative=0.8,
    ),
    _m("en kotu", f"kotu{S}", f"nefret{S}", f"kabus{S}", f"mahvol{S}", f"mahvett{S}", negative=0.7),
    _m("sinir", f"sinirli{S}", r"sinir oldum\b", f"ofkeli{S}", f"kizgin{S}", negative=0.7),
    _m("dolandirici", f"dolandiric{S}", f"soygun{S}", f"hirsiz{S}", negative=1.2, urgency=0.55),
    _m(
        "terrible",
        _words("terrible awful horrible worst pathetic disgusting disgrace shameful outrageous"),
        negative=1.0,
    ),
    _m(
        "useless",
        _words("useless ridiculous unacceptable incompetent garbage rubbish nightmare appalling"),
        negative=0.9,
    ),
    _m(
        "angry",
        _words("furious angry pissed livid"),
        "fed up",
        "sick of",
        "sick and tired",
        "enough is enough",
        negative=0.9,
    ),
    _m(
        "scam",
        _words("scam scammers fraud fraudulent rip-off ripoff thief thieves"),
        negative=1.2,
        urgency=0.55,
    ),
    _m("hate", r"i hate\b", r"hate this\b", r"what a joke\b", r"is a joke\b", r"a joke of\b", negative=0.8),
    _m("saka", r"tam bir saka\b", r"saka gibi\b", f"dalga mi geciyor{S}", negative=0.8),
    # --- mild negative: something is broken or late ---
    _m(
        "not working",
        r"not working\b",
        r"(doesn't|does not|isn't|won't) work",
        r"stopped working\b",
        r"broken\b",
        f"crash{S}",
        negative=0.35,
    ),
    _m(
        "calismiyor",
        f"calismiyor{S}",
        f"bozuk{S}",
        f"bozul{S}",
        f"cokt{S}",
        f"cokuyor{S}",
        f"acilmiyor{S}",
        negative=0.35,
    ),
    _m(
        "still waiting",
        r"still (waiting|not|no|broken|haven't)\b",
        r"no (reply|answer|response)\b",
        negative=0.4,
    ),
    _m(
        "hala",
        f"hala (bekli{S}|gelmedi|yok|cevap|donus|duzelmedi|cozulmedi|calismiyor)",
        f"cevap (yok|vermiyor{S})",
        negative=0.4,
    ),
    _m(
        "disappointed",
        _words("disappointed disappointing unfortunately"),
        f"hayal kirikligi{S}",
        r"maalesef\b",
        negative=0.35,
    ),
    # --- positive ---
    _m(
        "tesekkur",
        f"tesekkur{S}",
        f"sag ol{S}",
        r"eline saglik\b",
        r"ellerinize saglik\b",
        f"minnettar{S}",
        "allah razi",
        positive=0.8,
    ),
    _m("thanks", _words("thanks thank thx cheers grateful kudos"), f"appreciat{S}", positive=0.8),
    _m(
        "great",
        _words("great awesome excellent perfect wonderful brilliant fantastic amazing love lovely happy"),
        _words("impressed satisfied superb"),
        positive=0.6,
    ),
    _m(
        "harika",
        f"harika{S}",
        f"super{S}",
        f"mukemmel{S}",
        f"muhtesem{S}",
        f"memnun{S}",
        r"bayildim\b",
        r"cok guzel\b",
        f"kusursuz{S}",
        positive=0.6,
    ),
    _m(
        "solved",
        _words("solved resolved"),
        r"works now\b",
        r"working now\b",
        r"fixed it\b",
        f"cozul{S}",
        f"duzel(di|mis){S}",
        positive=0.6,
    ),
    # --- urgency: money lost ---
    _m(
        "charged twice",
        r"(charged|billed|paid|payment went through) (me )?(twice|two times|three times|[23] times)\b",
        r"charged \w+ times\b",
        r"double[- ](charged|charge|billed)\b",
        r"duplicate (payment|charge)",
        negative=0.6,
        urgency=0.85,
    ),
    _m(
        "unauthorized charge",
        r"unauthori[sz]ed (charge|payment|transaction)",
        r"(didn't|never|did not) authori[sz]e",
        negative=0.6,
        urgency=0.8,
    ),
    _m(
        "refund now",
        r"refund (it |me )?(now|immediately|asap|right away)\b",
        r"refund (it|me) today\b",
        r"(want|need) (my|the) money back\b",
        r"where is my (money|refund)\b",
        negative=0.5,
        urgency=0.8,
    ),
    _m(
        "iki kere cekildi",
        f"(iki|uc|2|3) (kere|kez|defa) (\\w+ )?(cek|ucret|para|odeme|fatura|al){S}",
        f"kartim{S} (\\S+ ){{0,4}}(cekil|cekmis|cekti){S}",
        f"mukerrer{S}",
        negative=0.6,
        urgency=0.85,
    ),
    _m(
        "hemen iade",
        f"(hemen|acil|acilen|derhal|bugun) iade{S}",
        f"param{S} (geri|iade|nerede|gitti|yok)",
        f"iadem{S} (nerede|yok|gelmedi|yatmadi)",
        f"onaylamadigim (\\w+ )?(harcama|cekim|odeme){S}",
        negative=0.5,
        urgency=0.8,
    ),
    # --- urgency: business blocked now ---
    _m(
        "cannot take orders",
        r"(can't|cannot|can not|unable to) (take|accept|process|receive) (any )?"
        r"(orders|payments?|bookings|cards?)\b",
        r"(pos|terminal|register|checkout)s? (is |are )?(down|not working|broken)\b",
        negative=0.5,
        urgency=0.85,
    ),
    _m(
        "outage",
        _words("outage"),
        r"(production|site|website|system|app|server) (is )?down\b",
        r"losing (sales|customers|money|orders)\b",
        r"locked out\b",
        negative=0.5,
        urgency=0.75,
    ),
    _m(
        "siparis alamiyoruz",
        f"(siparis|odeme|satis|rezervasyon|randevu) (alamiyor|yapamiyor|gelmiyor|dusmuyor){S}",
        f"(pos|kasa|yazarkasa){S} (\\w+ )?(calismiyor|coktu|bozuk){S}",
        negative=0.5,
        urgency=0.85,
    ),
    _m(
        "isimiz durdu",
        f"(isimiz|her sey|sistem|site{S}) (durdu|coktu|kilitlendi)",
        r"calisamiyoruz\b",
        f"(musteri|satis|siparis) (kaybediyor|kaciriyor){S}",
        negative=0.5,
        urgency=0.75,
    ),
    _m("acil", f"acil{S}", r"hemen\b", r"en kisa surede\b", r"derhal\b", urgency=0.35),
    _m("urgent", f"urgent{S}", _words("asap immediately emergency"), r"right (now|away)\b", urgency=0.35),
    # --- urgency: threats to leave, complain publicly, go legal ---
    _m(
        "iptal edecegim",
        r"iptal (edecegim|ediyorum|edin|ettirecegim)\b",
        f"hesabimi kapat{S}",
        f"uyelikten cik{S}",
        r"yenilemiyoruz\b",
        f"son sans{S}",
        r"bir daha (sizden )?(alisveris yapmam|almam|siparis vermem|kullanmam)\b",
        f"feshed{S}",
        negative=0.5,
        urgency=0.75,
        statement=True,
    ),
    _m(
        "baska firmaya",
        f"(baska|rakip) (\\w+ )?(firma|sirket){S} (gec|tasi){S}",
        f"rakibiniz{S}",
        r"baska firmalara\b",
        negative=0.5,
        urgency=0.7,
    ),
    _m(
        "sikayet edecegim",
        r"sikayet (edecegim|ediyorum|edecegiz)",
        f"sikayetvar{S}",
        f"tuketici (hakem|haklari){S}",
        f"btk{S}",
        r"basina\b",
        f"twitter{S}",
        f"bir yildiz{S}",
        f"yorumlarina yaz{S}",
        negative=0.6,
        urgency=0.75,
    ),
    _m(
        "avukat",
        f"avukat{S}",
        f"mahkeme{S}",
        f"dava (edecegim|acacagim){S}",
        f"yasal yol{S}",
        r"itiraz edecegim\b",
        f"bankam{S} (itiraz|ariyorum)",
        negative=0.6,
        urgency=0.8,
    ),
    _m(
        "cancel",
        r"(i'm|i am|we're|we are) (cancel+ing|leaving|switching|moving)\b",
        r"cancel (my|our|the) (subscription|account|plan|contract|membership)\b",
        r"cancel everything\b",
        r"not renewing\b",
        r"close my account\b",
        r"unsubscribe\b",
        r"never (buy|order|shop) (anything )?(from|with) you again\b",
        r"last chance\b",
        negative=0.4,
        urgency=0.7,
        statement=True,
    ),
    _m(
        "competitor",
        r"(switch(ing)? to|going with|moving to) (your )?"
        r"(competitor|another|a different|zendesk|intercom|freshdesk)\b",
        r"other (vendors|providers)\b",
        r"competitors?\b",
        negative=0.4,
        urgency=0.7,
    ),
    _m(
        "lawyer",
        _words("lawyer attorney court chargeback"),
        r"sue( you)?\b",
        r"legal action\b",
        r"disput(e|ing) the charge\b",
        negative=0.6,
        urgency=0.8,
    ),
    _m(
        "public complaint",
        _words("twitter trustpilot bbb"),
        r"(one|1)[- ]star\b",
        r"review everywhere\b",
        r"the press\b",
        r"better business bureau\b",
        r"consumer protection\b",
        r"report(ing)? (you|this)\b",
        negative=0.5,
        urgency=0.7,
    ),
)

_HOW_TO = re.compile(
    r"\b(how (do|can|could|would|to)|can i|could i|is it possible|is there a way|what happens if)\b"
    r"|\b(nasil|mumkun mu|edebilir miyim|yapabilir miyim|ne olur)\b"
)
# A cheerful opener followed by a failure is sarcasm ("harika, yine çöktü", "great, charged twice").
_SARCASM_OPENER = re.compile(
    r"^\W*(oh\s+|wow,?\s+|yeah,?\s+|vay,?\s+(be,?\s+)?|oh\s+ne\s+)?"
    r"(great|perfect|fantastic|wonderful|amazing|brilliant|awesome|nice|lovely|cool|congrats|yay|super|excellent"
    r"|harika\w*|super\w*|mukemmel|muhtesem|ne guzel|ne hos|tebrikler|yasasin|tam zamaninda|eline saglik)\b"
)
_FAILURE = re.compile(
    r"\b(again|still|another|crash\w*|broke\w*|down|charged|lost|nobody|never|nothing|nowhere|wrong|worse|error"
    r"|twice|losing)\b"
    rf"|\b(yine|hala|gene|bir (\w+ )?daha|cokt{S}|bozu{S}|kayb{S}|kimse|hic|yanlis{S}|hata{S}"
    rf"|cekil{S}|ucret{S}|(iki|uc) (kere|kez|defa)|kaybol{S})"
)
# Scare quotes around a promise: 'thanks for the "quick" response', '"hızlı" cevabınız'.
_SCARE_QUOTES = re.compile(
    r"[\"“”«»](quick|fast|fixed|premium|24 ?hour|24/7|7/24|support|help|helpful|on its way"
    r"|hizli|duzeltilen|yolda|destek|yardim)[\"“”«»]"
)
_THANKS_FOR_NOTHING = re.compile(
    r"\bthanks for nothing\b|\bhicbir sey icin tesekkur|\bthanks a lot\b.*\b(not|never|again)\b"
)


# Three or more words of three letters or more in capitals, or a run of exclamation marks: shouting.
_CAPITALS = re.compile(r"\b[^\W\d_]{3,}\b")


def shouting(text: str) -> bool:
    loud = sum(1 for word in _CAPITALS.findall(text) if word.isupper())
    return loud >= 3 or "!!" in text or "¡¡" in text


@dataclass(frozen=True)
class RuleEvidence:
    negative: float = 0.0
    positive: float = 0.0
    urgency: float = 0.0
    markers: tuple[str, ...] = field(default=())


def evidence(text: str) -> RuleEvidence:
    """What the markers say about a text: summed negative/positive weights, combined urgency (noisy-or)."""
    folded = fold(text)
    negative = positive = 0.0
    calm = 1.0
    names: list[str] = []
    question = bool(_HOW_TO.search(folded))
    for marker in MARKERS:
        if marker.statement and question:
            continue
        hits = min(2, len(marker.pattern.findall(folded)))
        if not hits:
            continue
        names.append(marker.name)
        negative += marker.negative * hits
        positive += marker.positive * hits
        calm *= (1.0 - marker.urgency) ** hits
    if (
        (_SARCASM_OPENER.search(folded) and _FAILURE.search(folded))
        or _THANKS_FOR_NOTHING.search(folded)
        or _SCARE_QUOTES.search(folded)
    ):
        names.append("sarcasm")
        negative += positive + 0.8  # the praise is the complaint
        positive = 0.0
    urgency = 1.0 - calm
    if 0 < urgency < 0.5 and negative >= 1.0:
        # "acil!" from an angry customer is urgent; from a calm one, not yet.
        urgency = min(0.6, urgency + 0.2)
    return RuleEvidence(negative=negative, positive=positive, urgency=urgency, markers=tuple(names))
