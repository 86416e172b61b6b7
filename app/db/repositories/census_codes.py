"""The CIN census code lists, shipped as reference data (app/data/cin_census_codes.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from app.domain.family_help import CensusCodes

CENSUS_CODES_FILE = Path(__file__).resolve().parents[2] / "data" / "cin_census_codes.json"


@lru_cache(maxsize=1)
def packaged_census_codes() -> CensusCodes:
    """The code lists in the shipped file: referral sources, primary needs, closure reasons."""
    raw = json.loads(CENSUS_CODES_FILE.read_text(encoding="utf-8"))
    return CensusCodes(
        referral_sources=frozenset(raw["referral_sources"]),
        primary_needs=frozenset(raw["primary_needs"]),
        closure_reasons=frozenset(raw["closure_reasons"]),
    )
