"""The conversation marker in subjects ("Re: Order missing [Ticket#42]") and the reply prefixes that
mail programs put before a subject in many languages, for threading when headers are missing."""

from __future__ import annotations

import re

# Re, AW (German), SV (Nordic), YNT/Ynt (Turkish "yanıt"), Fwd/FW/WG, İlt/ILT (Turkish "ilet"), RIF,
# Odp, Antw, TR (French "transféré"), Réf, with optional [n] counters and full-width colons.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|ynt|yan[ıi]t|fwd?|fw|wg|[iİ]lt|[iİ]let|rif|odp|antw|tr|r[ée]f|enc|res)"
    r"(?:\s*\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def marker(prefix: str, number: int) -> str:
    return f"[{prefix}#{number}]"


def find_number(subject: str, prefix: str) -> int | None:
    """The conversation number of our marker in the subject, if there is one (the last one wins)."""
    found = re.findall(rf"\[{re.escape(prefix)}#(\d{{1,9}})\]", subject, flags=re.IGNORECASE)
    return int(found[-1]) if found else None


def strip_prefixes(subject: str) -> str:
    return _PREFIX.sub("", subject).strip()


def reply_subject(subject: str, prefix: str, number: int) -> str:
    """ "Re: <subject> [Ticket#42]": one Re, one marker, whatever the thread's subject carried."""
    base = strip_prefixes(re.sub(rf"\s*\[{re.escape(prefix)}#\d+\]", "", subject, flags=re.IGNORECASE))
    return f"Re: {base} {marker(prefix, number)}" if base else f"Re: {marker(prefix, number)}"
