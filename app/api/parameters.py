"""Path and query parameters shared by the routes, each with its description in the contract."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query
from pydantic import AwareDatetime

# --- path: the records a path names --------------------------------------------------------------

FamilyId = Annotated[uuid.UUID, Path(description="The family's (household's) id.")]
PersonId = Annotated[uuid.UUID, Path(description="The person's id (the same in every household).")]
MembershipId = Annotated[
    uuid.UUID, Path(description="The membership's id: one person's time in this household.")
]
ContactId = Annotated[uuid.UUID, Path(description="The contact's id.")]
ConsentId = Annotated[uuid.UUID, Path(description="The consent record's id.")]
DisclosureId = Annotated[uuid.UUID, Path(description="The disclosure log entry's id.")]
NetworkMemberId = Annotated[uuid.UUID, Path(description="The network member's id.")]
FgdmOfferId = Annotated[uuid.UUID, Path(description="The FGDM offer's id.")]
EpisodeId = Annotated[uuid.UUID, Path(description="The episode of early help's id.")]
AssessmentId = Annotated[uuid.UUID, Path(description="The assessment version's id.")]
PlanId = Annotated[uuid.UUID, Path(description="The family plan version's id.")]
PlanActionId = Annotated[uuid.UUID, Path(description="The id of an action in the plan.")]
TafMemberId = Annotated[uuid.UUID, Path(description="The Team Around the Family member's id.")]
NeedId = Annotated[uuid.UUID, Path(description="The Supporting Families need's id.")]
ClaimId = Annotated[uuid.UUID, Path(description="The Supporting Families claim's id.")]
RequestId = Annotated[uuid.UUID, Path(description="The request for support's id.")]
PractitionerId = Annotated[uuid.UUID, Path(description="The practitioner's id in the directory.")]

# --- query: filters --------------------------------------------------------------------------------

HubFilter = Annotated[
    uuid.UUID | None, Query(description="Only records of this family hub (see GET /api/v1/hubs).")
]
LeadFilter = Annotated[
    uuid.UUID | None, Query(description="Only episodes led by this lead professional.")
]
FamilyFilter = Annotated[uuid.UUID | None, Query(description="Only this family's records.")]

# --- query: reproducing a past figure ---------------------------------------------------------------

KnownAt = Annotated[
    AwareDatetime | None,
    Query(
        description="Report as the records stood at this instant (with its zone, e.g. "
        "2026-04-01T00:00:00Z; default: now): anything recorded later is left out, so a past "
        "period's figure is reproduced exactly as it was reported."
    ),
]
