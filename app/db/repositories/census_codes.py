"""The CIN census code lists, shipped as reference data (app/data/cin_census_codes.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from app.domain.family_help import CensusCodes

CENSUS_CODES_FILE = Path(__file__).resolve().parents[2] / "data" / "cin_census_codes.json"


@lru_cache(maxsize=1)
def packaged_census_codes() -> CensusCodes:
    """The code lists in the shipped file, and how the register's sex and ethnicity map to them."""
    raw = json.loads(CENSUS_CODES_FILE.read_text(encoding="utf-8"))
    return CensusCodes(
        referral_sources=frozenset(raw["referral_sources"]),
        primary_needs=frozenset(raw["primary_needs"]),
        closure_reasons=frozenset(raw["closure_reasons"]),
        categories_of_abuse=frozenset(raw["categories_of_abuse"]),
        disabilities=frozenset(raw["disabilities"]),
        ethnicities=frozenset(raw["ethnicities"]),
        ethnicity_from_people=dict(raw["ethnicity_from_people"]),
        ethnicity_not_recorded=raw["ethnicity_not_recorded"],
        gender_from_sex=dict(raw["gender_from_sex"]),
        gender_not_known=raw["gender_not_known"],
        gender_unborn=raw["gender_unborn"],
    )
