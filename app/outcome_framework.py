"""The Supporting Families outcome headlines that needs are tagged with, loaded from shipped data.

The headline list is reference data, not code: the framework changed in 2015, 2022 and October 2022
and the codes are a local proposal (shared/domain/supporting-families.md §2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FRAMEWORK_FILE = Path(__file__).parent / "data" / "outcome_framework.json"


@dataclass(frozen=True)
class Headline:
    code: str
    name: str
    aliases: tuple[str, ...]


@lru_cache
def headlines() -> tuple[Headline, ...]:
    """The headlines, validated on load: unique non-empty codes and names."""
    data = json.loads(FRAMEWORK_FILE.read_text())
    found = tuple(
        Headline(
            code=str(h["code"]),
            name=str(h["name"]),
            aliases=tuple(str(a) for a in h.get("aliases", [])),
        )
        for h in data["headlines"]
    )
    codes = [h.code for h in found]
    if not found or len(set(codes)) != len(codes) or not all(h.code and h.name for h in found):
        raise ValueError(f"{FRAMEWORK_FILE} has missing or duplicate headline codes")
    return found


def headline_codes() -> frozenset[str]:
    return frozenset(h.code for h in headlines())
