"""Loads the Supporting Families outcome framework shipped with the service (reference data, not code).

The file is validated on load by `app.domain.outcomes_framework.parse_framework`; a bad file fails
at the first call, naming the field (shared/domain/supporting-families.md §2 "Design consequence").
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.domain.outcomes_framework import FrameworkCatalogue, parse_framework

FRAMEWORK_FILE = Path(__file__).parent / "data" / "supporting_families_framework.json"


def load_catalogue(path: Path) -> FrameworkCatalogue:
    """Read and validate a framework file (UTF-8 JSON)."""
    return parse_framework(json.loads(path.read_text(encoding="utf-8")))


def signed_off_document() -> dict[str, Any]:
    """The shipped framework document with every version and descriptor marked verified: what a
    Supporting Families lead's sign-off of Chapter 3 produces (§2), for demo data and tests."""
    document: dict[str, Any] = json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    for version in document["versions"]:
        version["verified"] = True
        for headline in version["headlines"]:
            for descriptor in headline["descriptors"]:
                descriptor["verified"] = True
    return document


@lru_cache(maxsize=1)
def catalogue() -> FrameworkCatalogue:
    """The shipped framework catalogue, read once per process."""
    return load_catalogue(FRAMEWORK_FILE)
