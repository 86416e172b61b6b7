"""An interchange line (docs/import-export.md) for a household through the whole cycle, dated
before the tests' today (3 March 2025), with the emails of `tests.builders.given_staff`."""

from __future__ import annotations

import copy
import json
from typing import Any

HOUSEHOLD: dict[str, Any] = {
    "format_version": 1,
    "external_ref": "OLD-HH-1",
    "hub_code": "NORTH",
    "address": {"line1": "12 Cedar Road", "town": "Blackpool", "postcode": "FY1 3HT"},
    "people": [
        {
            "external_ref": "OLD-P-1",
            "given_name": "Sarah",
            "family_name": "Hughes",
            "date_of_birth": "1990-02-14",
            "role": "parent_carer",
            "joined_on": "2024-11-25",
        },
        {
            "external_ref": "OLD-P-2",
            "given_name": "Ava",
            "family_name": "Hughes",
            "date_of_birth": "2017-06-01",
            "role": "child",
            "joined_on": "2024-11-25",
        },
    ],
    "relationships": [{"person": "OLD-P-1", "related_person": "OLD-P-2", "kind": "parent"}],
    "consents": [
        {
            "external_ref": "OLD-C-1",
            "purpose": "early_help",
            "given_by": "OLD-P-1",
            "method": "written",
            "given_on": "2024-12-02",
        },
        {
            "external_ref": "OLD-C-2",
            "purpose": "information_sharing",
            "given_by": "OLD-P-1",
            "method": "written",
            "given_on": "2024-12-02",
            "sharing_scope": "named_agencies",
            "agency_codes": ["SCHOOL"],
        },
    ],
    "episodes": [
        {
            "external_ref": "OLD-E-1",
            "source": "school",
            "level_of_need": "2",
            "lead": "lead@council.example",
            "children": ["OLD-P-2"],
            "requested_on": "2024-11-25",
            "assessment": {
                "started_on": "2024-12-03",
                "completed_on": "2024-12-18",
                "strengths": ["Warm relationship with mum"],
                "needs": [
                    {
                        "external_ref": "OLD-N-1",
                        "headline": "EDU",
                        "description": "Attendance 78% this term",
                        "people": ["OLD-P-2"],
                    }
                ],
                "child_voice": "I don't like mornings",
                "parents_view": "Mornings are a battle",
                "analysis": "Routines at home are the root of poor attendance.",
            },
            "taf_members": [
                {
                    "external_ref": "OLD-T-1",
                    "practitioner": "school_worker@council.example",
                    "role": "Attendance officer",
                    "joined_on": "2025-01-06",
                }
            ],
            "plan": {
                "outcomes": [
                    {
                        "external_ref": "OLD-O-1",
                        "description": "Ava attends school every day",
                        "needs": ["OLD-N-1"],
                        "measure": "Attendance above 95%",
                        "baseline_score": 3,
                    }
                ],
                "actions": [
                    {
                        "description": "Morning routine chart",
                        "owner_person": "OLD-P-1",
                        "due_on": "2025-01-31",
                    }
                ],
                "qa_reviews": [
                    {
                        "submitted_on": "2024-12-20",
                        "decided_on": "2025-01-06",
                        "decided_by": "qa_officer@council.example",
                        "outcome": "approved",
                    }
                ],
            },
            "meetings": [
                {
                    "held_on": "2025-01-15",
                    "attendees": ["OLD-T-1"],
                    "family_present": True,
                    "child_voice": "shared",
                    "progress": [{"outcome": "OLD-O-1", "score": 4}],
                    "decision": "continue",
                }
            ],
        }
    ],
}


def household(**overrides: Any) -> dict[str, Any]:
    """The household above, with top-level fields replaced."""
    line = copy.deepcopy(HOUSEHOLD)
    line.update(overrides)
    return line


def line_of(household: dict[str, Any]) -> str:
    return json.dumps(household)
