"""The one family the contract's examples follow through the cycle: the Walkers of Blackpool, 2026.

Shared ids and dates, so an example episode names the example family, its plan the example
needs, and so on: a reader can follow one case across the operations.
"""

from __future__ import annotations

from typing import Any

HUB_NORTH = "5b1e6c1a-7f3d-4c2e-9a8b-1d2c3e4f5a6b"
FAMILY = "7d1f0c7e-2b0a-4c47-9d0e-3c1a2b4d5e6f"
FAMILY_REFERENCE = "FH-2026-00042"
SARAH = "c3a1e2f4-5b6c-4d7e-8f90-a1b2c3d4e5f6"
"""Sarah Walker, the mum (parent_carer)."""
AVA = "d4b2f3a5-6c7d-4e8f-9a01-b2c3d4e5f6a7"
"""Ava Walker, 8, the child the work is about."""
SARAH_MEMBERSHIP = "e5c3a4b6-7d8e-4f90-8b12-c3d4e5f6a7b8"
AVA_MEMBERSHIP = "f6d4b5c7-8e9f-4a01-9c23-d4e5f6a7b8c9"
RELATIONSHIP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
LEAD = "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"
"""Priya Shah, family support worker and lead professional."""
QA_OFFICER = "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f"
"""Tom Okafor, quality assurance officer."""
SCHOOL_WORKER = "3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a"
"""Grace Hughes, attendance officer at St Anne's primary."""
CONSENT = "4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b"
SHARING_CONSENT = "5f6a7b8c-9d0e-4f1a-9b2c-4d5e6f7a8b9c"
EPISODE = "0b7c3a52-8d1e-4f5a-9c2b-6e4d3f2a1b0c"
ASSESSMENT = "6a7b8c9d-0e1f-4a2b-8c3d-5e6f7a8b9c0d"
ASSESSMENT_NEED = "7b8c9d0e-1f2a-4b3c-9d4e-6f7a8b9c0d1e"
PLAN = "8c9d0e1f-2a3b-4c4d-8e5f-7a8b9c0d1e2f"
OUTCOME = "9d0e1f2a-3b4c-4d5e-9f6a-8b9c0d1e2f3a"
ACTION = "ae1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"
TAF_SCHOOL = "bf2a3b4c-5d6e-4f7a-9b8c-0d1e2f3a4b5c"
TAF_MUM = "c03b4c5d-6e7f-4a8b-8c9d-1e2f3a4b5c6d"
MEETING = "d14c5d6e-7f8a-4b9c-9d0e-2f3a4b5c6d7e"
NEED = "e25d6e7f-8a9b-4c0d-8e1f-3a4b5c6d7e8f"
SUPPORT = "f36e7f8a-9b0c-4d1e-9f2a-4b5c6d7e8f9a"
CLAIM = "047f8a9b-0c1d-4e2f-8a3b-5c6d7e8f9a0b"
DEADLINE = "158a9b0c-1d2e-4f3a-9b4c-6d7e8f9a0b1c"
AUDITOR = "269b0c1d-2e3f-4a4b-8c5d-7e8f9a0b1c2d"
MANAGER = "37ac1d2e-3f4a-4b5c-9d6e-8f9a0b1c2d3e"
ADMIN = "48bd2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
REQUEST_ID = "3f2b8c1e9a4d4e0f8b6a7c5d4e3f2a1b"


def examples(*values: dict[str, Any]) -> dict[str, Any]:
    """`model_config` extra: the schema's realistic examples, shown in the contract."""
    return {"examples": list(values)}


DISCLOSURE = "5a6b7c8d-9e0f-4a1b-8c2d-4e5f6a7b8c9d"
