"""Matching names the way people write them: typos and different spellings of the same name.

Practitioners search for families by name (the front-end issue); 'Hughs' must find 'Hughes' and
'Mohammed' must find 'Muhammad'. PostgreSQL does this with trigram similarity; the embedded
database uses these functions over the distinct names it holds.
"""

from __future__ import annotations

import re
from enum import StrEnum

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def name_key(name: str) -> str:
    """Letters only, lower case: 'O'Brien-Smith' → 'obriensmith'."""
    return re.sub(r"[^a-z]", "", name.lower())


def soundex(name: str) -> str:
    """American Soundex: names that sound alike share a code ('Hughes', 'Hgues' → H220)."""
    key = name_key(name)
    if not key:
        return ""
    code = key[0].upper()
    previous = _SOUNDEX_CODES.get(key[0], "")
    for letter in key[1:]:
        digit = _SOUNDEX_CODES.get(letter, "")
        if digit and digit != previous:
            code += digit
        if letter not in "hw":
            previous = digit
    return (code + "000")[:4]


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a swap of two letters counts once), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_row: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if (
                before is not None
                and i > 1
                and j > 1
                and a[i - 1] == b[j - 2]
                and a[i - 2] == b[j - 1]
            ):
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return min(row[len(b)], limit + 1)


def allowed_typos(key: str) -> int:
    """Short names tolerate one slip, longer ones two."""
    return 1 if len(key) <= 6 else 2


def names_match(query: str, candidate: str) -> bool:
    """Same start, same sound, or within a typo or two of each other."""
    q, c = name_key(query), name_key(candidate)
    if not q or not c:
        return False
    if c.startswith(q) or soundex(q) == soundex(c):
        return True
    return edit_distance(q, c, allowed_typos(q)) <= allowed_typos(q)


class NameMatch(StrEnum):
    """How a typed name matched a member's name, most exact first."""

    SAME = "same"
    STARTS_WITH = "starts_with"
    SOUNDS_LIKE = "sounds_like"
    """The same Soundex code ('Hgues' for 'Hughes')."""
    NEAR_SPELLING = "near_spelling"
    """Within a typo (names of up to six letters) or two of each other ('Muhamad', 'Muhammad')."""
    SIMILAR_SPELLING = "similar_spelling"
    """Shares most of its three-letter runs (PostgreSQL's trigram similarity, 0.3 or more)."""


def how_names_match(query: str, candidate: str) -> NameMatch | None:
    """The most exact way `query` matches `candidate`, or None (trigram similarity aside, which
    only the database judges: a result it found otherwise is a `SIMILAR_SPELLING`)."""
    q, c = name_key(query), name_key(candidate)
    if not q or not c:
        return None
    if q == c:
        return NameMatch.SAME
    if c.startswith(q):
        return NameMatch.STARTS_WITH
    if soundex(q) == soundex(c):
        return NameMatch.SOUNDS_LIKE
    if edit_distance(q, c, allowed_typos(q)) <= allowed_typos(q):
        return NameMatch.NEAR_SPELLING
    return None
