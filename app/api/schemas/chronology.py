"""Response shapes for a family's chronology: one dated line per event, with a link to its record."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import PageOf, ReadSchema
from app.domain.chronology import ChronologyEntry, EntryKind

_LINKS = {
    "consent": "/api/v1/families/{family_id}/consents/{record_id}",
    "episode": "/api/v1/episodes/{episode_id}",
    "assessment": "/api/v1/episodes/{episode_id}/assessments/{record_id}",
    "plan": "/api/v1/episodes/{episode_id}/plans/{record_id}",
    "meeting": "/api/v1/episodes/{episode_id}/meetings",
    "taf_member": "/api/v1/episodes/{episode_id}/taf-members",
    "need": "/api/v1/episodes/{episode_id}/needs",
    "disclosure": "/api/v1/families/{family_id}/disclosures/{record_id}",
    "network_member": "/api/v1/families/{family_id}/network-members",
    "fgdm_offer": "/api/v1/families/{family_id}/fgdm-offers",
    "fgdm_meeting": "/api/v1/families/{family_id}/fgdm-meetings",
    "contact": "/api/v1/episodes/{episode_id}/contacts/{record_id}",
    "document": "/api/v1/documents/{record_id}",
    "request": "/api/v1/requests/{record_id}",
    "family_help": "/api/v1/episodes/{episode_id}/family-help",
}
"""Where each kind of record is read (the same access rules apply there): the record itself, or
for meetings, TAF members and needs, which are read as lists, the list holding it."""


def link_to(entry: ChronologyEntry, family_id: uuid.UUID) -> str:
    return _LINKS[entry.record_type].format(
        family_id=family_id, episode_id=entry.episode_id, record_id=entry.record_id
    )


ENTRY_EXAMPLE = {
    "on": "2026-01-26",
    "kind": "qa_decision",
    "what": "Family plan version 1 approved by quality assurance",
    "record_type": "plan",
    "record_id": ex.PLAN,
    "link": f"/api/v1/episodes/{ex.EPISODE}/plans/{ex.PLAN}",
    "episode_id": ex.EPISODE,
    "by_practitioner_id": ex.QA_OFFICER,
    "by_person_id": None,
    "person_ids": [ex.AVA],
    "recorded_at": "2026-01-26T11:20:00Z",
}


class ChronologyEntryRead(ReadSchema):
    """One event of the family's history."""

    model_config = ConfigDict(json_schema_extra=ex.examples(ENTRY_EXAMPLE))

    on: date = Field(description="The day it happened.")
    kind: EntryKind = Field(description="What kind of event it is.")
    what: str = Field(description="What happened, in one line.")
    record_type: str = Field(
        description="The record it belongs to: consent, episode, assessment, plan, meeting, "
        "taf_member, need, disclosure, network_member, fgdm_offer, fgdm_meeting, contact, document,"
        " request or family_help (s.47 enquiries and child protection plans)."
    )
    record_id: uuid.UUID = Field(description="That record's id.")
    link: str = Field(description="Where to read the record.")
    episode_id: uuid.UUID | None = Field(description="The episode it belongs to, if any.")
    by_practitioner_id: uuid.UUID | None = Field(description="The practitioner who acted.")
    by_person_id: uuid.UUID | None = Field(description="The family member who acted.")
    person_ids: list[uuid.UUID] = Field(description="Whom it is about.")
    recorded_at: datetime | None = Field(
        description="When it was recorded, where kept (null for events recorded before it was)."
    )

    @classmethod
    def from_domain(cls, entry: ChronologyEntry, family_id: uuid.UUID) -> ChronologyEntryRead:
        return cls(
            on=entry.on,
            kind=entry.kind,
            what=entry.what,
            record_type=entry.record_type,
            record_id=entry.record_id,
            link=link_to(entry, family_id),
            episode_id=entry.episode_id,
            by_practitioner_id=entry.by_practitioner_id,
            by_person_id=entry.by_person_id,
            person_ids=list(entry.person_ids),
            recorded_at=entry.recorded_at,
        )


class ChronologyPage(PageOf[ChronologyEntryRead]):
    """One page of a family's chronology."""


CHRONOLOGY_COLUMNS = (
    "on",
    "kind",
    "what",
    "record_type",
    "record_id",
    "link",
    "episode_id",
    "by_practitioner_id",
    "by_person_id",
    "person_ids",
    "recorded_at",
)


def chronology_rows(
    entries: Iterable[ChronologyEntry], family_id: uuid.UUID
) -> Iterator[tuple[object, ...]]:
    for entry in entries:
        yield (
            entry.on.isoformat(),
            entry.kind.value,
            entry.what,
            entry.record_type,
            entry.record_id,
            link_to(entry, family_id),
            entry.episode_id,
            entry.by_practitioner_id,
            entry.by_person_id,
            " ".join(str(p) for p in entry.person_ids),
            entry.recorded_at.isoformat() if entry.recorded_at else None,
        )
