"""Separating what a customer wrote now from the quoted history and the signature of a reply.

The agent should see the new text first, not the whole thread again. Mail clients mark the history
in their own way and language: Gmail's "On ... wrote:" (in Turkish "... tarihinde ... şunu yazdı:"),
Outlook's "-----Original Message-----" or its From/Sent/To/Subject block (Kimden/Gönderildi/Kime/Konu,
Von/Gesendet/An/Betreff), Apple Mail, "> " lines; signatures start at "-- " or are a phone's
"Sent from my iPhone". Nothing is dropped: what is folded away is returned in `quoted`. When in doubt
the text stays new: an inline answer between quotes, or a pure forward, is shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reply:
    new: str  # what the sender wrote now (what the agent sees first)
    quoted: str  # the quoted history + signature that was folded away ("" if none)


# "On <date>, <name> wrote:" and its translations; may be wrapped over up to three lines.
_ATTRIBUTION = re.compile(
    r"(?:On\s.{1,300}\swrote"  # English: Gmail, Apple Mail, Thunderbird
    r"|Am\s.{1,300}\sschrieb(?:\s.{0,200})?"  # German
    r"|Le\s.{1,300}\sa\sécrit"  # French
    r"|El\s.{1,300}\sescribió"  # Spanish
    r"|Op\s.{1,300}\sschreef(?:\s.{0,200})?"  # Dutch
    r"|Il\s.{1,300}\sha\sscritto"  # Italian
    r"|.{1,300}\stmenulis"  # Indonesian
    r"|.{0,300}\btarihinde\s.{0,300}\s(?:şunu\s)?yazdı"  # Turkish Gmail
    r"|.{1,300}\sşunu\syazdı"  # Turkish, other clients
    r")\s?:",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"-{2,}\s*(?:Original Message|Orijinal İleti|Özgün İleti|Orijinal Mesaj|Ursprüngliche Nachricht"
    r"|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht"
    r"|Forwarded message|İletilen ileti|Yönlendirilmiş ileti|Weitergeleitete Nachricht"
    r"|Message transféré|Mensaje reenviado)\s*-{2,}"
    r"|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|İletilen e-posta:",
    re.IGNORECASE,
)
_RULE = re.compile(r"_{10,}|-{10,}")
# Outlook's header block: a From line followed closely by at least two of Sent/To/Subject/Cc.
_FIELD = re.compile(r"\*?\s*([^\s:*][^:*]{0,20}?)\s*:\s*\*?(?:\s|$)")
_FROM = {"from", "kimden", "gönderen", "von", "de", "da", "van", "от"}
_OTHERS = {
    "sent": "date", "date": "date", "gönderildi": "date", "tarih": "date", "gesendet": "date",
    "datum": "date", "envoyé": "date", "enviado": "date", "enviado el": "date", "fecha": "date",
    "inviato": "date", "data": "date", "verzonden": "date", "отправлено": "date",
    "to": "to", "kime": "to", "alıcı": "to", "an": "to", "à": "to", "para": "to", "a": "to", "aan": "to",
    "кому": "to", "subject": "subject", "konu": "subject", "betreff": "subject", "objet": "subject",
    "asunto": "subject", "oggetto": "subject", "onderwerp": "subject", "тема": "subject",
    "cc": "cc", "bilgi": "cc",
}  # fmt: skip
_MOBILE = re.compile(
    r"(?:Sent from my\s.{1,40}|Sent from (?:Mail|Outlook|Yahoo Mail|Samsung|AOL)\b.{0,40}"
    r"|Get Outlook for (?:iOS|Android)|Sent with .{1,30}"
    r"|.{1,40}(?:['’](?:umdan|ımdan|imden|den|dan|ndan|nden)|\s(?:telefonumdan|cihazımdan|tabletimden))"
    r"\s+gönderildi"
    r"|(?:iOS|Android)\s+için\s+Outlook\S*\s+edinin|Outlook\S* (?:iOS|Android) için indirin"
    r"|Von meinem\s.{1,40}\sgesendet|Gesendet von\s.{1,40}"
    r"|Envoyé de mon\s.{1,40}|Enviado desde mi\s.{1,40}|Inviato da\s.{1,40}|Verzonden vanaf mijn\s.{1,40})"
    r"\s*[.!]?(?:\s*<[^>\s]*>)?",  # Outlook's plain text adds the link: "Get Outlook for iOS<https://...>"
    re.IGNORECASE,
)
_ATTRIBUTION_WORDS = re.compile(r"wrote|schrieb|écrit|escribió|schreef|scritto|menulis|yazdı", re.IGNORECASE)
_SIGNATURE_LINES = 12  # a bare "--" starts a signature only when at most this many lines follow it


def split_reply(text: str) -> Reply:
    """The new part of a reply and the part folded away (quoted history, signature)."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = _Lines(normalised.split("\n"))
    cut = _history_start(lines)
    cut = min(cut, _signature_start(lines, cut))
    new = "\n".join(lines.text[:cut]).strip()
    quoted = "\n".join(lines.text[cut:]).strip()
    if not new:  # all of it quoted (a pure forward, a bare quote): show it whole
        return Reply(new=normalised.strip(), quoted="")
    return Reply(new=new, quoted=quoted)


class _Lines:
    """The lines, with what the rules ask of "everything after line i" counted once (long mails)."""

    def __init__(self, text: list[str]) -> None:
        self.text = text
        n = len(text)
        self.filled_after = [0] * (n + 1)  # non-blank lines from i on
        self.next_unquoted = [n] * (n + 1)  # the first non-blank, unquoted line from i on
        self.quote_after = [False] * (n + 1)  # a quoted line from i on
        for i in range(n - 1, -1, -1):
            line = text[i]
            quoted = _is_quoted(line)
            self.filled_after[i] = self.filled_after[i + 1] + (1 if line.strip() else 0)
            self.next_unquoted[i] = i if line.strip() and not quoted else self.next_unquoted[i + 1]
            self.quote_after[i] = quoted or self.quote_after[i + 1]

    def __len__(self) -> int:
        return len(self.text)

    def filled_between(self, start: int, end: int) -> int:
        return self.filled_after[start] - self.filled_after[end] if start < end else 0


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _history_start(lines: _Lines) -> int:
    for i, line in enumerate(lines.text):
        if _is_quoted(line):
            if _only_quotes_after(lines, i):
                return _with_attribution(lines, i)
            continue
        clean = _clean(line)
        if not clean:
            continue
        if _SEPARATOR.fullmatch(clean):
            return i
        end = _attribution_end(lines, i)
        if end is not None:
            if _only_quotes_after(lines, end + 1) or not lines.quote_after[end + 1]:
                return i
            continue  # an answer written between the quoted lines: nothing to fold
        if _outlook_block(lines, i):
            return _with_rule_above(lines, i)
    return len(lines)


def _attribution_end(lines: _Lines, i: int) -> int | None:
    """The last line of an attribution ("On ... wrote:") starting at line i, if one does."""
    joined = ""
    for j in range(i, min(i + 3, len(lines))):
        line = lines.text[j]
        if _is_quoted(line) or (j > i and not line.strip()):
            return None
        joined = f"{joined} {_clean(line)}".strip()
        if len(joined) > 400:
            return None
        # The cheap test first; a real attribution also names a date or an address.
        if (
            joined.endswith(":")
            and _ATTRIBUTION_WORDS.search(joined)
            and re.search(r"\d|@", joined)
            and _ATTRIBUTION.fullmatch(joined)
        ):
            return j
    return None


def _only_quotes_after(lines: _Lines, i: int) -> bool:
    """True when, from line i on, there are only quoted lines, blank lines and a signature."""
    j = lines.next_unquoted[min(i, len(lines))]
    return j == len(lines) or _signature_at(lines, j, len(lines))


def _with_attribution(lines: _Lines, i: int) -> int:
    """Where the history starts, given its first quoted line: on the attribution just above it."""
    j = i - 1
    while j >= 0 and not lines.text[j].strip():
        j -= 1
    for start in range(max(0, j - 2), j + 1):
        if _attribution_end(lines, start) == j:
            return start
    return i


def _label(line: str) -> str | None:
    match = _FIELD.match(_clean(line))
    return match.group(1).lower() if match else None


def _outlook_block(lines: _Lines, i: int) -> bool:
    if _label(lines.text[i]) not in _FROM:
        return False
    seen: set[str] = set()
    for line in lines.text[i + 1 : i + 8]:
        label = _label(line)
        if label in _OTHERS:
            seen.add(_OTHERS[label])
        elif line.strip() and label is None and len(seen) >= 2:
            break
    # Subject is always in Outlook's block; "From: Istanbul / To: Ankara / Date: ..." in a request is not.
    return "subject" in seen and len(seen) >= 2


def _with_rule_above(lines: _Lines, i: int) -> int:
    j = i - 1
    while j >= 0 and not lines.text[j].strip():
        j -= 1
    if j >= 0 and (_RULE.fullmatch(_clean(lines.text[j])) or _SEPARATOR.fullmatch(_clean(lines.text[j]))):
        return j
    return i


def _signature_at(lines: _Lines, i: int, end: int) -> bool:
    """Line i starts a signature that runs to line `end`: "-- ", a bare "--" near the end, or a
    phone's "Sent from my iPhone" with nothing but blank lines after it."""
    line = lines.text[i]
    after = lines.filled_between(i + 1, end)
    if line == "-- " or (line.strip() == "--" and after <= _SIGNATURE_LINES):
        return True
    if after or not line.strip() or len(line) > 200:
        return False
    clean = _clean(line)
    return len(clean) <= 80 and _MOBILE.fullmatch(clean) is not None


def _signature_start(lines: _Lines, end: int) -> int:
    """Where a signature starts before line `end`, or `end`."""
    return next((i for i in range(end) if _signature_at(lines, i, end)), end)
