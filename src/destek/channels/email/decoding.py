"""Turning the bytes of real-world mail into text: charsets, RFC 2047 words, lenient transfer decoding.

Mail in the wild declares no charset, the wrong one, or one that does not exist ("x-unknown",
"cp-1254"); splits a UTF-8 character across two encoded words; truncates base64. Each helper here
returns text whatever it is given and says what it had to guess, so the parser never drops a mail.
Guess order for 8-bit text whose charset is unknown: UTF-8 (strict), windows-1254 (a superset of
ISO-8859-9 that suits Turkish), then Latin-1, which never fails.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

# Codecs that are text encodings in Python's registry but not charsets a mail may name.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
# WHATWG's rule: what is labelled Latin-1 or Latin-5 is written by Windows with the cp125x extras.
_SUPERSETS = {"iso8859-1": "cp1252", "iso8859-9": "cp1254", "gb2312": "gb18030"}
_ALIASES = {
    "iso-8859-8-i": "iso8859-8",
    "x-mac-turkish": "mac-turkish",
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "ansi-1251": "cp1251",
    "latin-5": "iso8859-9",
}
_WINDOWS = re.compile(r"(?:cp|windows|win|ms|x-cp)[-_ ]?(\d{3,4})")
# Letters that Turkish text read as Latin-1 turns into (ğ ı ş Ğ İ Ş become ð ý þ Ð Ý Þ), and letters
# that Icelandic, the one Latin-1 language using those, has but Turkish never does.
_TURKISH_AS_LATIN1 = re.compile("[ðýþÐÝÞ]")
_NOT_TURKISH = re.compile("[áéíóúæÁÉÍÓÚÆ]")

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*?)\?=")
_BETWEEN_WORDS = re.compile(r"\s*")


def charset_name(declared: str | None) -> str | None:
    """The Python codec for a declared charset, or None when it is missing or unknown."""
    if not declared:
        return None
    name = declared.strip().strip("\"'").strip().lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: "utf-8*tr"
    if not name:
        return None
    name = _ALIASES.get(name, name)
    match = _WINDOWS.fullmatch(name)
    if match:
        name = f"cp{match.group(1)}"
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def guess_text(data: bytes) -> tuple[str, str]:
    """Undeclared 8-bit text: UTF-8 if it is valid, else windows-1254, else Latin-1; and which."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1254"), "windows-1254"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _has_utf8_sequences(data: bytes) -> bool:
    """True when the bytes hold at least one valid multi-byte UTF-8 character."""
    return any(ord(c) > 0x7F for c in data.decode("utf-8", errors="ignore"))


def decode_text(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Bytes of text in the declared charset; the text and, when it had to guess, what it guessed."""
    if data.isascii():
        # Plain ASCII reads the same in every charset a mail uses, except the 7-bit ones that escape.
        codec = charset_name(declared)
        if codec in ("utf-7", "iso2022_jp", "iso2022_jp_2", "iso2022_kr", "hz"):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError:
                pass
        return data.decode("ascii"), None
    codec = charset_name(declared)
    label = (declared or "").strip().strip("\"'").strip()
    if codec is None:
        text, used = guess_text(data)
        if label:
            return text, f"unknown charset {label!r}, read as {used}"
        return text, f"undeclared charset, read as {used}"
    if codec == "ascii":
        text, used = guess_text(data)
        return text, f"declared {label} but has 8-bit bytes, read as {used}"
    if codec in ("iso8859-1", "cp1252", "iso8859-9", "cp1254") and _has_utf8_sequences(data):
        try:
            return data.decode("utf-8"), f"declared {label} but the bytes are utf-8"
        except UnicodeDecodeError:
            pass
    if codec == "utf-8":
        try:
            return data.decode("utf-8"), None
        except UnicodeDecodeError:
            if _has_utf8_sequences(data):
                return data.decode("utf-8", errors="replace"), "invalid utf-8, damaged characters replaced"
            text, used = guess_text(data)
            return text, f"declared utf-8 but the bytes are not, read as {used}"
    codec = _SUPERSETS.get(codec, codec)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        if codec not in ("cp1252", "cp1254"):
            return data.decode(codec, errors="replace"), f"invalid {label} text, damaged characters replaced"
        # A byte Windows leaves undefined: read the label's ISO charset, which has them all.
        text = data.decode("latin-1" if codec == "cp1252" else "iso8859-9")
    except (LookupError, ValueError):
        text, used = guess_text(data)
        return text, f"unusable charset {label!r}, read as {used}"
    if codec == "cp1252" and _TURKISH_AS_LATIN1.search(text) and not _NOT_TURKISH.search(text):
        turkish = data.decode("cp1254", errors="replace")
        return turkish, f"declared {label} but the text is Turkish, read as windows-1254"
    return text, None


def to_bytes(value: str) -> bytes:
    """The original bytes of a header or payload that the stdlib parser read as ASCII+surrogateescape."""
    try:
        return value.encode("latin-1", errors="surrogateescape")
    except UnicodeEncodeError:  # already text beyond Latin-1: keep it, as UTF-8
        return value.encode("utf-8", errors="surrogateescape")


def decode_8bit(value: str) -> str:
    """A header value that may hold raw 8-bit bytes (as surrogates), as text."""
    raw = to_bytes(value)
    return raw.decode("ascii") if raw.isascii() else guess_text(raw)[0]


def lenient_b64(data: bytes) -> tuple[bytes, bool]:
    """Decode base64 keeping whatever can be read; True when something was wrong with it."""
    compact = re.sub(rb"[^A-Za-z0-9+/=]", b"", data)
    damaged = len(compact) != len(re.sub(rb"\s", b"", data))
    out = bytearray()
    # Some senders concatenate separately padded chunks; decode each one.
    for chunk in re.split(rb"=+", compact):
        if not chunk:
            continue
        if len(chunk) % 4 == 1:  # one stray character cannot be decoded: drop it
            chunk, damaged = chunk[:-1], True
        try:
            out += base64.b64decode(chunk + b"=" * (-len(chunk) % 4))
        except binascii.Error:
            damaged = True
    return bytes(out), damaged


def decode_q(text: str) -> bytes:
    """The Q encoding of RFC 2047: "_" is a space, "=XX" a byte; anything else stays as it is."""
    return quopri.decodestring(to_bytes(text).replace(b"_", b" "), header=False)


def decode_words(value: str) -> str:
    """A header value with RFC 2047 encoded words (any charset, broken or split ones) as text."""
    if "=?" not in value:
        return decode_8bit(value)
    pieces: list[str] = []
    pending: list[tuple[str | None, bytes]] = []  # adjacent words: bytes joined before decoding

    def flush() -> None:
        if not pending:
            return
        charset = pending[0][0]
        data = b"".join(part for _, part in pending)
        pieces.append(decode_text(data, charset)[0])
        pending.clear()

    pos = 0
    for match in ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if gap and not (pending and _BETWEEN_WORDS.fullmatch(gap)):
            flush()
            pieces.append(decode_8bit(gap))
        charset, kind, payload = match.groups()
        data = lenient_b64(payload.encode("ascii", "ignore"))[0] if kind in "Bb" else decode_q(payload)
        if pending and (pending[0][0] or "").lower() != charset.lower():
            flush()
        pending.append((charset, data))
        pos = match.end()
    flush()
    pieces.append(decode_8bit(value[pos:]))
    return "".join(pieces)


def decode_transfer(payload: bytes, cte: str) -> tuple[bytes, bool]:
    """A part's body under its Content-Transfer-Encoding; True when it was damaged."""
    cte = cte.strip().lower()
    if cte == "base64":
        return lenient_b64(payload)
    if cte == "quoted-printable":
        return quopri.decodestring(payload), False
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        blocks = find_uuencoded(payload.decode("latin-1"))
        if blocks:
            return blocks[0][1], blocks[0][3]
        return payload, True
    return payload, False


_UU_BEGIN = re.compile(r"^begin(?:-base64)? [0-7]{3,4} (.+?)\s*$")


def _uu_line(text: str) -> tuple[bytes, bool]:
    line = text.encode("ascii", errors="replace")
    try:
        return binascii.a2b_uu(line), False
    except binascii.Error:
        # Some encoders strip trailing spaces; the length byte says how much there should be.
        length = (line[0] - 32) & 63 if line else 0
        padded = line.ljust(1 + (length + 2) // 3 * 4, b" ")
        try:
            return binascii.a2b_uu(padded)[:length], True
        except binascii.Error:
            return b"", True


def find_uuencoded(text: str) -> list[tuple[str, bytes, tuple[int, int], bool]]:
    """uuencoded blocks ("begin 644 name" ... "end"): name, data, (first, last) line, damaged."""
    lines = text.split("\n")
    found: list[tuple[str, bytes, tuple[int, int], bool]] = []
    i = 0
    while i < len(lines):
        match = _UU_BEGIN.match(lines[i].rstrip("\r"))
        if not match:
            i += 1
            continue
        data = bytearray()
        damaged = False
        j = i + 1
        while j < len(lines) and lines[j].rstrip("\r").strip() != "end":
            line = lines[j].rstrip("\r")
            if line and line not in ("`", " "):
                chunk, bad = _uu_line(line)
                data += chunk
                damaged = damaged or bad
            j += 1
        if j >= len(lines):  # no "end": keep what was read
            damaged = True
            j = len(lines) - 1
        found.append((match.group(1), bytes(data), (i, j), damaged))
        i = j + 1
    return found
