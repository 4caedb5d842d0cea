"""Is the customer asking for a person? In Turkish, English, German, Spanish and Arabic, typos included.

A request names someone (a person, an agent, a representative, someone in charge, a manager, a real
human...) together with reaching them (talk, speak, connect me, put me through, call me back...), in
either order and a few words apart, or is only that someone ("temsilci lütfen", "agent pls", "echter
Mensch bitte"). A call-back request ("beni arayın", "call me", "llámenme") counts on its own. A person
word alone inside a question does not: "yetkili kullanıcı nasıl eklenir" (an authorised user), "my
travel agent", "insan kaynakları" are questions, not requests.

Patterns are written folded (as destek.nlp.text.fold leaves text: lowercase, no diacritics, Arabic hamza
seats dropped) and matched on the folded message, word stems open-ended for suffixes and light typos.
"""

from __future__ import annotations

import re

from destek.nlp.text import fold

# Someone to talk to: stems, open-ended (Turkish suffixes, plurals, typos after the stem).
_SOMEONE = [
    # Turkish
    r"temsil\w*",
    r"yetkili\w*",
    r"sorumlu\w*",
    r"insan(?:la|a|i|in)?\b",
    r"canli (?:destek|biri\w*|kisi\w*|temsil\w*)",
    r"gercek (?:bir )?(?:insan|kisi|biri)\w*",
    r"operator(?:e|le|un|a)\b",
    r"musteri hizmet\w*",
    r"canli dest\w*",
    r"(?:yetkili|gercek|canli|sorumlu) biri\w*",
    r"mudur\w*",
    r"calisan(?:iniz|inizla|iniza|la|a|larinizdan)\b",
    r"yonetici\w*",
    # English
    r"(?:a |an |the |real |actual |live )?(?:human|pers[oa]?n|agent|representative|rep|operator|supervisor"
    r"|manager|staff|employee)s?\b",
    r"c[ou]st[ou]?m[ae]?r (?:service|supp?ort|care)\b",
    r"supp?ort (?:team|person|agent|staff)\b",
    # German
    r"mensch\w*",
    r"mitarbeiter\w*",
    r"(?:echte[nm]? )?person(?:en)?\b",
    r"berater\w*",
    r"verantwortlich\w*",
    r"vorgesetzt\w*",
    r"kundenservi\w*",
    r"kundendienst\w*",
    # Spanish
    r"personas?\b",
    r"agentes?\b",
    r"asesor(?:es|a)?\b",
    r"humanos?\b",
    r"responsables?\b",
    r"encargad[oa]s?\b",
    r"supervisor\w*",
    r"operador(?:es|a)?\b",
    # Arabic (folded: hamza seats normalised)
    r"موظف\w*",
    r"شخص\w*",
    r"انسان\w*",
    r"مسوول\w*",
    r"مسيول\w*",
    r"وكيل\w*",
    r"خدمه العملاء",
    r"خدمة العملاء",
    r"الدعم\w*",
]
# Anyone at all: a request only with reaching them ("talk to someone"), never with wanting alone ("can
# someone please tell me how much...").
_ANYONE = [r"som(?:e)?one", r"somebody", r"anyone", r"jemand\w*", r"alguien", r"(?:ال)?احد\w*"]
# Reaching them.
_REACH = [
    # Turkish
    r"gorus(?!tug|tuk)\w*",
    r"konus(?!tug|tuk)\w*",
    r"bagla\w*",
    r"aktar\w*",
    r"ulas\w*",
    r"yonlendir\w*",
    r"ara(?:yin|yabilir|sin|sana|yiniz|r misiniz)\w*",
    r"yazsin\w*",
    r"ilgilensin\w*",
    # English
    r"t(?:a)?l(?:a)?k\w*",
    r"spe(?:a|e)k\w*",
    r"chat with",
    r"conn?ect\w*",
    r"transfer (?:me|us)\b",
    r"escalat\w*",
    r"put me through",
    r"get me",
    r"call(?:s|ing)?\b",
    r"contact\b",
    r"available",
    r"reach\w*",
    # German
    r"sprechen",
    r"reden",
    r"verbind\w*",
    r"anruf\w*",
    r"rufen",
    r"kontakt\w*",
    # Spanish
    r"habl\w*",
    r"comunic\w*",
    r"pas(?:a|e|ar|ame|eme)\w*",
    r"llam\w*",
    r"atend\w*",
    r"contact\w*",
    # Arabic
    r"تحدث\w*",
    r"(?:ال)?تحدث\w*",
    r"اتحدث",
    r"يتحدث",
    r"اكلم\w*",
    r"(?:ي|ت)?كلم\w*",
    r"اتصل\w*",
    r"يتصل\w*",
    r"تواصل\w*",
]
# Wanting or needing someone counts only right beside them: "temsilci lazım", "I want a human", "quiero un
# agente", "ein Mensch bitte" (not "the waiter wants ... the manager's approval").
_WANT = [
    r"istiyo\w*",
    r"isterim",
    r"lazim",
    r"gerek\w*",
    r"var mi",
    r"lutfen",
    r"need",
    r"want",
    r"please",
    r"pls",
    r"plz",
    r"bitte",
    r"mochte",
    r"quiero",
    r"necesito",
    r"por favor",
    r"اريد",
    r"ابي",
    r"ابغى",
    r"بدي",
]
# Asking to be called back is a request for a person by itself.
_CALL_BACK = [
    r"beni(?:\s+\S+){0,3}\s+ara(?:yin|yiniz|sin|yabilir|r misiniz)\w*",
    r"biri(?:si)? (?:beni |bana )?(?:arasin|arayabilir|yazsin|baksin|ilgilensin|ulassin|donsun)\w*",
    r"(?:hanim|bey)\w*(?:\s+\S+){0,6}\s+(?:gorus|konus)\w*",
    r"onunla (?:tekrar |yine )?(?:gorus|konus)\w*",
    r"bana (?:hemen )?ulas\w*",
    r"geri donus yap\w*",
    r"call me (?:back|asap|now|please|today|tomorrow|at|on|when|as soon)\b",
    r"(?:please|pls|can you|could you|can someone|could someone) call me\b"
    r"(?! (?:by|\w+ (?:from now|instead)))",
    r"(?:need|want) (?:someone|somebody)(?: (?:now|asap|immediately|right now|urgently))\b",
    r"(?:jump|get|hop) on a call",
    r"(?:is|are) (?:there|someone|anyone) (?:a |an )?(?:real |actual |live )?"
    r"(?:person|human|agent|someone|anyone)?\s*(?:there|available|online)",
    r"ring me",
    r"(?:someone|somebody) (?:to )?(?:call|contact|ring)(?:s)?\b",
    r"\bon a call\b",
    r"(?:phone (?:line|number|support) (?:for|to call|i can)|number i can call|phone support)",
    r"biri(?:yle|siyle) (?:gorus|konus)(?!tug|tuk)\w*",
    r"ruf\w* (?:sie |ihr )?(?:mich|uns)\b",
    r"mich(?:\s+\S+){0,10}\s+anrufen",
    r"zuruckruf\w*",
    r"llam(?:enme|adme|ame|eme)\w*",
    r"(?:alguien|me) (?:me )?llame\w*",
    r"اتصل(?:وا)? بي",
    r"يتصل بي",
    r"اتصلوا علي",
]
# The whole message is a person (after politeness): "agent", "Human!", "temsilci lütfen".
_POLITE = r"(?:\s+(?:lutfen|please|pls|plz|bitte|por favor|من فضلك|لو سمحت|now|hemen|simdi|ya|ya da))*"
_WORDS = {
    "agent", "human", "person", "representative", "operator", "supervisor", "manager", "insan", "temsilci",
    "yetkili", "sorumlu", "canli destek", "mensch", "echter mensch", "mitarbeiter", "agente",
    "persona", "humano", "asesor", "موظف", "شخص", "انسان", "real person", "live agent", "live chat",
    "human agent", "real human", "live person", "musteri temsilcisi", "موظف خدمة عملاء",
}  # fmt: skip

_NEAR = 6  # at most this many words between someone and reaching them


def _compile(parts: list[str]) -> str:
    # Written folded already: folding a pattern would lower-case its escapes (\S into \s).
    return "|".join(f"(?:{part})" for part in parts)


_SOMEONE_RE = _compile(_SOMEONE)
_ANY_RE = _compile([*_SOMEONE, *_ANYONE])
_REACH_RE = _compile(_REACH)
_WANT_RE = _compile(_WANT)
_BETWEEN = rf"(?:\s+\S+){{0,{_NEAR}}}\s+"
_BESIDE = r"(?:\s+\S+){0,2}\s+"
_REQUEST = re.compile(
    rf"(?:^|\s)(?:{_ANY_RE}){_BETWEEN}(?:{_REACH_RE})|(?:^|\s)(?:{_REACH_RE}){_BETWEEN}(?:{_ANY_RE})"
    rf"|(?:^|\s)(?:{_SOMEONE_RE}){_BESIDE}(?:{_WANT_RE})\b|(?:^|\s)(?:{_WANT_RE}){_BESIDE}(?:{_SOMEONE_RE})"
)
_CALLING = re.compile(rf"(?:^|\s)(?:{_compile(_CALL_BACK)})")
_ALONE = re.compile(
    rf"^(?:{'|'.join(re.escape(fold(w)) for w in sorted(_WORDS, key=len, reverse=True))}){_POLITE}$"
)
_PUNCT = re.compile(r"[^\w\s]+")
# A person word is also in ordinary questions about people in the product: not a request.
_NOT = re.compile(
    r"yetkili (?:kullanici|kisi ekle|hesab|rol)|insan kaynak|temsilci (?:ekle|hesab|rol)"
    r"|(?:add|invite|remove|delete|create) (?:a |an |the |new )?(?:staff|employee|person|agent|user|manager)"
    r"|travel agent|real estate agent|yeni (?:calisan|garson|personel)"
)


def _plain(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def asks_for_person(text: str) -> bool:
    plain = _plain(text)
    if not plain:
        return False
    if _ALONE.match(plain) or _CALLING.search(plain):
        return True
    return _REQUEST.search(plain) is not None and not _NOT.search(plain)
