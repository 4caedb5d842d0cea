"""Walking a mail's MIME tree: which parts are the body (text, HTML) and which are files.

Every part ends up somewhere: as body text, as body HTML, or as a file (attachments, inline images,
forwarded mails, delivery reports, uuencoded blocks, winmail.dat). Broken structures are recovered
where possible (a multipart without a usable boundary, a damaged base64 payload) and each recovery
is noted in `problems`. Naming files and deciding what is inline is left to parse.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32

from destek.channels.email.decoding import (
    decode_8bit,
    decode_text,
    decode_transfer,
    decode_words,
    find_uuencoded,
    to_bytes,
)

MAX_DEPTH = 40  # deeper nesting is kept as an opaque file rather than walked


class RawPolicy(Compat32):
    """compat32, but header values come back as read (8-bit bytes as surrogates), never as Header
    objects: compat32 replaces undecodable bytes with U+FFFD when asked for a header, and
    `email.policy.default` raises on some broken headers."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW = RawPolicy()

_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
_BOUNDARY_LINE = re.compile(rb"^--([^\s\"]{1,200}?)(?:--)?[ \t]*\r?$", re.MULTILINE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "txt": "text/plain", "html": "text/html", "htm": "text/html",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "eml": "message/rfc822", "ics": "text/calendar", "csv": "text/csv", "dat": "application/octet-stream",
    "log": "text/plain", "xml": "application/xml", "json": "application/json", "rtf": "application/rtf",
}  # fmt: skip


@dataclass(slots=True)
class FoundFile:
    filename: str | None  # decoded and made safe; None when the mail gave no name
    content_type: str
    data: bytes
    content_id: str | None
    subject: str | None = None  # for an attached mail, its subject (to name the file)


@dataclass(slots=True)
class Walk:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    files: list[FoundFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Regenerating an attached mail or report: no refolding, the mail's own line ends.
    keep: RawPolicy = field(default_factory=lambda: RawPolicy(max_line_length=0))

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", " ")


def header(part: Message, name: str) -> str | None:
    """The first header `name` as read (unfolded; 8-bit bytes as surrogates), or None."""
    value = part.get(name)
    return None if value is None else unfold(str(value))


def param(part: Message, name: str, where: str = "content-type") -> str | None:
    """A header parameter, decoded whatever its form: RFC 2231 (any charset, continuations),
    RFC 2047 words inside quotes, or raw 8-bit bytes."""
    try:
        value = part.get_param(name, header=where)
    except (ValueError, IndexError, TypeError):
        return None
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _language, encoded = value
        text = decode_text(to_bytes(str(encoded)), charset or None)[0]
    else:
        text = decode_words(str(value))
    return _CONTROL.sub("", text).strip() or None


def content_type(part: Message, filename: str | None) -> str:
    value = header(part, "content-type")
    if value is None:
        return guess_type(filename) if filename else part.get_default_type()
    ctype = value.split(";", 1)[0].strip().lower()
    if ctype == "application/octet-stream" and filename:
        return guess_type(filename)  # what many clients send for every file: the name says more
    if _TYPE.fullmatch(ctype):
        return ctype
    return guess_type(filename) if filename else "text/plain"  # RFC 2045 §5.2


def guess_type(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _EXTENSIONS.get(extension, "application/octet-stream")


def safe_filename(name: str | None) -> str | None:
    """A file name without folders, control characters or runaway length."""
    if not name:
        return None
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"\s+", " ", _CONTROL.sub("", name)).strip().strip(".").strip()
    if not name:
        return None
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (
            (stem[: 199 - len(extension)] + dot + extension) if dot and len(extension) <= 10 else name[:200]
        )
    return name


def filename_of(part: Message) -> str | None:
    return safe_filename(param(part, "filename", "content-disposition") or param(part, "name"))


def _disposition(part: Message) -> str:
    value = header(part, "content-disposition") or ""
    return value.split(";", 1)[0].strip().lower()


def raw_payload(part: Message) -> str | list[Message]:
    """The payload as read: get_payload() would decode 8-bit text with the declared charset and
    replace what does not fit, before we could guess better."""
    payload = getattr(part, "_payload", None)
    if isinstance(payload, (str, list)):
        return payload
    return ""


def serialise(part: Message, policy: RawPolicy) -> bytes:
    """A (sub-)message as bytes, as it came. The stdlib's generator fails on some broken parts (a
    multipart read as text that holds 8-bit bytes); then the headers and payload are written as read."""
    try:
        return part.as_bytes(policy=policy)
    except (UnicodeError, LookupError, ValueError, TypeError):
        pass
    end = policy.linesep.encode()
    head = b"".join(to_bytes(f"{name}: {value}") + end for name, value in part.raw_items())
    payload = raw_payload(part)
    if isinstance(payload, str):
        return head + end + to_bytes(payload)
    boundary = to_bytes(part.get_boundary() or "boundary")
    body = b"".join(b"--" + boundary + end + serialise(sub, policy) + end for sub in payload)
    return head + end + body + b"--" + boundary + b"--" + end


def _payload_bytes(part: Message, walk: Walk) -> bytes:
    payload = raw_payload(part)
    if isinstance(payload, list):  # message/* parsed into sub-messages: give them back as bytes
        return b"".join(serialise(sub, walk.keep) for sub in payload if isinstance(sub, Message))
    raw = to_bytes(payload) if isinstance(payload, str) else b""
    data, damaged = decode_transfer(raw, header(part, "content-transfer-encoding") or "")
    if damaged:
        walk.problem("a damaged encoded part, kept what could be decoded")
    return data


def _text_of(part: Message, data: bytes, ctype: str, walk: Walk) -> str:
    charset = param(part, "charset")
    if charset is None and ctype == "text/html":
        meta = _META_CHARSET.search(data[:4096])
        charset = meta.group(1).decode("ascii") if meta else None
    text, problem = decode_text(data, charset)
    if problem:
        walk.problem(problem)
    if "\x00" in text:
        text = text.replace("\x00", "")
        walk.problem("NUL bytes removed from the text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ctype == "text/plain" and (param(part, "format") or "").lower() == "flowed":
        text = unflow(text, delsp=(param(part, "delsp") or "").lower() == "yes")
    return text


def unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: join the soft-broken lines back into paragraphs."""
    out: list[str] = []
    buffer: str | None = None
    depth_of_buffer = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if buffer is not None and depth != depth_of_buffer:
            out.append(">" * depth_of_buffer + (" " if depth_of_buffer else "") + buffer)
            buffer = None
        buffer = content if buffer is None else buffer + content
        depth_of_buffer = depth
        if not flowed:
            out.append(">" * depth + (" " if depth else "") + buffer)
            buffer = None
    if buffer is not None:
        out.append(">" * depth_of_buffer + (" " if depth_of_buffer else "") + buffer)
    return "\n".join(out)


def _take_uuencoded(text: str, walk: Walk) -> str:
    """uuencoded files inside a text body become files; their lines leave the text."""
    if "begin " not in text:
        return text
    blocks = find_uuencoded(text)
    lines = text.split("\n")
    for name, data, _lines, damaged in blocks:
        filename = safe_filename(name)
        walk.files.append(FoundFile(filename, guess_type(filename or ""), data, None))
        if damaged:
            walk.problem(f"a damaged uuencoded file ({filename}), kept what could be decoded")
    for _name, _data, (first, last), _damaged in reversed(blocks):
        del lines[first : last + 1]
        if 0 < first < len(lines) and not lines[first].strip() and not lines[first - 1].strip():
            del lines[first]  # the blank lines around the block become one
    return "\n".join(lines)


def _recover_multipart(part: Message, walk: Walk) -> list[Message] | None:
    """A multipart whose boundary is missing or wrong: find the one the body uses and parse again."""
    payload = raw_payload(part)
    body = to_bytes(payload) if isinstance(payload, str) else b""
    match = _BOUNDARY_LINE.search(body)
    if match is None:
        return None
    boundary = match.group(1)
    rebuilt = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n' + body
    children = BytesParser(policy=RAW).parsebytes(rebuilt).get_payload()
    if not isinstance(children, list) or not children:
        return None
    walk.problem("multipart boundary missing or wrong, recovered from the body")
    return [child for child in children if isinstance(child, Message)]


def _attached_mail(part: Message, walk: Walk) -> None:
    payload = raw_payload(part)
    inner = payload[0] if isinstance(payload, list) and payload else None
    cte = (header(part, "content-transfer-encoding") or "").strip().lower()
    if isinstance(inner, Message) and cte not in ("base64", "quoted-printable"):
        data = serialise(inner, walk.keep)
        subject = header(inner, "subject")
    else:  # encoded against RFC 2046, so parsed as garbage: decode the bytes, then read the subject
        if isinstance(inner, Message):
            raw = serialise(inner, walk.keep).lstrip(b"\r\n")
        else:
            raw = to_bytes(payload) if isinstance(payload, str) else b""
        data, damaged = decode_transfer(raw, cte)
        if damaged:
            walk.problem("a damaged encoded part, kept what could be decoded")
        subject = header(BytesParser(policy=RAW).parsebytes(data, headersonly=True), "subject")
    name = filename_of(part)
    walk.files.append(FoundFile(name, "message/rfc822", data, _content_id(part), decode_words(subject or "")))


def _content_id(part: Message) -> str | None:
    value = header(part, "content-id")
    if value is None:
        return None
    value = decode_8bit(value).strip()
    match = re.search(r"<([^<>]*)>", value)
    value = (match.group(1) if match else value).strip()
    return value or None


def _visit(part: Message, walk: Walk, depth: int) -> tuple[list[str], list[str]]:
    """The (texts, htmls) of this subtree; its files go to walk.files."""
    filename = filename_of(part)
    ctype = content_type(part, filename)
    if depth > MAX_DEPTH:
        walk.problem("MIME nesting too deep, the rest kept as a file")
        walk.files.append(FoundFile(filename, ctype, serialise(part, walk.keep), _content_id(part)))
        return [], []
    if ctype.startswith("multipart/"):
        payload = raw_payload(part)
        children = [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else None
        if children is None:
            children = _recover_multipart(part, walk)
            if children is None:
                walk.problem("multipart without a usable boundary, read as text")
                ctype = "text/plain"
        if children is not None:
            return _visit_children(ctype, children, walk, depth)
    elif ctype in ("message/rfc822", "message/global"):
        _attached_mail(part, walk)
        return [], []
    data = _payload_bytes(part, walk)
    disposition = _disposition(part)
    if ctype in ("text/plain", "text/html") and filename is None and disposition != "attachment":
        text = _text_of(part, data, ctype, walk)
        if ctype == "text/html":
            return [], [text]
        return [_take_uuencoded(text, walk)], []
    walk.files.append(FoundFile(filename, ctype, data, _content_id(part)))
    return [], []


def _visit_children(
    ctype: str, children: list[Message], walk: Walk, depth: int
) -> tuple[list[str], list[str]]:
    results = [_visit(child, walk, depth + 1) for child in children if isinstance(child, Message)]
    if ctype == "multipart/alternative":
        # The last alternative is the sender's best; for the text, the last one that has text.
        texts = next((t for t, _ in reversed(results) if t), [])
        htmls = next((h for _, h in reversed(results) if h), [])
        return texts, htmls
    return [t for texts, _ in results for t in texts], [h for _, htmls in results for h in htmls]


def walk_message(message: Message, linesep: str = "\n") -> Walk:
    walk = Walk(keep=RawPolicy(max_line_length=0, linesep=linesep))
    walk.texts, walk.htmls = _visit(message, walk, 0)
    for part in message.walk():
        if any(isinstance(d, errors.CloseBoundaryNotFoundDefect) for d in part.defects):
            walk.problem("a multipart is not closed (its last boundary is missing)")
    return walk
