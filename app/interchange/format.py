"""The caseload interchange format: one household a line, with its history dated.

Version 2 adds an episode's reassessments, plan revisions, lead and level changes, its Supporting Families needs
with their outcomes and sustainment checks, the support delivered, and its contacts and case
notes; a version 1 line (without them) is still read.

Every record carries `external_ref`, the source system's id for it: an import keeps it beside
the record it creates (unique per kind), so running the same file again creates nothing twice,
and the file's other records point at people and TAF members by it. Practitioners are named by
email, matched against the directory. The models are the format: `docs/interchange.schema.json`
is generated from them (`familyhub interchange-schema`) and a test holds the two together.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

FORMAT_VERSION = 2

Ref = Annotated[str, Field(min_length=1, max_length=64, description="The source system's id.")]
Text = Annotated[str, Field(min_length=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressV1(_Record):
    line1: Text
    line2: str | None = None
    town: str | None = None
    postcode: Text


class IdentifierV1(_Record):
    scheme: Literal["nhs_number", "upn", "la_child_id", "other"]
    value: Text
    verified: bool = False
    source: str | None = None


class PersonV1(_Record):
    """A member of the household: who they are and when they joined it."""

    external_ref: Ref
    given_name: Text
    family_name: Text
    date_of_birth: date | None = None
    expected_delivery_date: date | None = None
    sex: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    send: bool = False
    disabilities: list[str] = Field(
        [],
        description="CIN census disability codes (NONE, MOB, HAND, PC, INC, COMM, LD, HEAR, VIS,"
        " BEH, CON, AUT, DDA), each once; NONE only on its own.",
    )
    identifiers: list[IdentifierV1] = []
    identifier_absent_reason: str | None = Field(
        None,
        description="Why the council's consistent identifier is not recorded (children: one of"
        " not_known_tracing_would_delay, withheld_more_detrimental_to_child, not_applicable,"
        " pending_trace).",
    )
    role: Literal["child", "parent_carer", "other_adult"]
    joined_on: date


class RelationshipV1(_Record):
    person: Ref
    related_person: Ref
    kind: str
    parental_responsibility: bool = False


class WithdrawalV1(_Record):
    withdrawn_on: date
    reason: Text
    withdrawn_by: Ref | None = None


class ConsentV1(_Record):
    external_ref: Ref
    purpose: Literal["early_help", "information_sharing"]
    given_by: Ref
    on_behalf_of: list[Ref] = []
    method: Literal["verbal", "written", "digital"]
    given_on: date
    sharing_scope: Literal["all_taf_members", "named_agencies"] | None = None
    agency_codes: list[str] = []
    review_on: date | None = None
    notes: str | None = None
    withdrawal: WithdrawalV1 | None = None


class NeedV1(_Record):
    """A need the assessment found (an outcome headline code, e.g. EDU)."""

    external_ref: Ref
    headline: Text
    description: Text
    people: list[Ref] = []


class AssessmentV1(_Record):
    started_on: date
    completed_on: date | None = None
    strengths: list[str] = []
    needs: list[NeedV1] = []
    child_voice: str | None = None
    parents_view: str | None = None
    analysis: str | None = None


class OutcomeV1(_Record):
    external_ref: Ref
    description: Text
    needs: list[Ref] = Field(description="The assessment's needs it addresses, by external_ref.")
    measure: Text
    baseline_score: int = Field(ge=0, le=10)


class PlanActionV1(_Record):
    description: Text
    outcome: Ref | None = None
    owner_person: Ref | None = None
    owner_taf_member: Ref | None = None
    due_on: date
    status: Literal["not_started", "in_progress", "done", "cancelled"] = "not_started"


class PlanRevisionV1(_Record):
    """A later version of the plan: drafted from the agreed one and agreed at a TAF review
    (version 2). Outcomes carried over keep their external_ref."""

    outcomes: list[OutcomeV1] = []
    actions: list[PlanActionV1] = []
    agreed_on: date | None = Field(
        None,
        description="The day of the TAF meeting that agreed it (one of the episode's meetings);"
        " none while it is still being written.",
    )


class QaReviewV1(_Record):
    """One submission of the plan to quality assurance and the decision on it."""

    submitted_on: date
    decided_on: date | None = None
    decided_by: EmailStr | None = None
    outcome: Literal["approved", "returned"] | None = None
    comments: str = ""


class PlanV1(_Record):
    outcomes: list[OutcomeV1] = []
    actions: list[PlanActionV1] = []
    qa_reviews: list[QaReviewV1] = []


class TafMemberV1(_Record):
    """A practitioner (by email) or a member of the household (by person external_ref)."""

    external_ref: Ref
    practitioner: EmailStr | None = None
    person: Ref | None = None
    role: Text
    joined_on: date
    left_on: date | None = None


class ProgressV1(_Record):
    outcome: Ref
    score: int = Field(ge=0, le=10)


class MeetingV1(_Record):
    held_on: date
    attendees: list[Ref] = Field(description="TAF members present, by external_ref.")
    family_present: bool
    child_voice: Literal["present", "shared", "not_shared"]
    progress: list[ProgressV1] = []
    decision: Literal["continue", "revise_plan", "close", "step_up"]
    next_review_on: date | None = None
    notes: str | None = None


class FamilyViewV1(_Record):
    improved: Literal["yes", "partly", "no"]
    in_their_words: Text


class ClosureV1(_Record):
    closed_on: date
    reason: str
    family_view: FamilyViewV1 | None = None
    notes: str | None = None
    stepped_up_reference: str | None = None


class LeadChangeV1(_Record):
    """A handover of the lead professional role after the episode opened (version 2)."""

    lead: EmailStr = Field(description="The new lead professional's email in the directory.")
    effective_on: date
    reason: str | None = None
    changed_by: EmailStr | None = Field(
        None,
        description="The manager who handed the episode over; by default whoever runs the"
        " import, who must then be a manager.",
    )


class LevelChangeV1(_Record):
    """A move to another level of need after the episode opened (version 2)."""

    level_of_need: Text
    effective_on: date
    reason: str | None = None


class EvidenceV1(_Record):
    """Where a Supporting Families fact is evidenced: which system or document, and its reference."""

    source: Text
    reference: Text


class NeedOutcomeV1(_Record):
    status: Literal["achieved", "not_achieved"]
    on: date
    evidence: EvidenceV1


class SustainmentCheckV1(_Record):
    """The re-check of an achieved outcome after the episode closed."""

    checked_on: date
    result: Literal["sustained", "not_sustained", "unknown"]
    lapsed_on: date | None = None
    evidence: EvidenceV1


class FamilyNeedV1(_Record):
    """A Supporting Families need on the episode, by its outcome framework descriptor (version 2)."""

    external_ref: Ref
    descriptor_code: Text
    people: list[Ref] = Field(min_length=1, description="Who it affects, by external_ref.")
    identified_on: date
    emerged_later: bool = False
    evidence: EvidenceV1
    assessment_need: Ref | None = Field(
        None, description="The assessment's need it is (by external_ref), to link the two."
    )
    outcome: NeedOutcomeV1 | None = Field(None, description="None while the outcome is open.")
    sustainment_check: SustainmentCheckV1 | None = None


class SupportV1(_Record):
    """A service the family received during the episode (version 2)."""

    service: Text
    provider: str = ""
    started_on: date
    ended_on: date | None = None


class AmendmentV1(_Record):
    """A correction appended to a saved contact; the original text stays on the record."""

    field: Literal["note", "child_voice", "what_was_done"]
    text: Text
    reason: Text
    amended_by: EmailStr = Field(description="Whoever recorded the contact, or the lead.")


class ContactV1(_Record):
    """A contact with the family on the episode: a visit, a call, a message (version 2)."""

    external_ref: Ref
    happened_on: date
    happened_at: time | None = None
    kind: Literal["home_visit", "office", "school", "phone", "video", "message", "attempted_visit"]
    recorded_by: EmailStr = Field(
        description="The lead or a TAF member (by email) who recorded it, on the day it happened."
    )
    seen: list[Ref] = Field([], description="The people seen, by external_ref.")
    children_seen_alone: list[Ref] = []
    child_voice: str | None = None
    what_was_done: str | None = None
    note: str = Field(description="The note as first recorded (corrections are amendments).")
    sensitive: bool = False
    named_practitioners: list[EmailStr] = Field(
        [], description="Who else may read a sensitive note, by email."
    )
    significant: bool = False
    amendments: list[AmendmentV1] = []


class EpisodeV1(_Record):
    """An early help episode and its dated history, in the order the cycle runs."""

    external_ref: Ref
    source: str
    level_of_need: str = Field(
        description="The level of need when the episode opened (later moves are in level_changes)."
    )
    lead: EmailStr = Field(
        description="The lead professional's email in the directory when the episode opened"
        " (later handovers are in lead_changes)."
    )
    children: list[Ref] = Field(min_length=1)
    requested_on: date
    hub_code: str | None = None
    assessment: AssessmentV1 | None = None
    reassessments: list[AssessmentV1] = Field(
        [],
        description="Later versions of the assessment, in order (version 2); a need carried"
        " from an earlier version keeps its external_ref.",
    )
    plan: PlanV1 | None = None
    plan_revisions: list[PlanRevisionV1] = Field(
        [], description="Later versions of the plan, in order (version 2)."
    )
    taf_members: list[TafMemberV1] = []
    meetings: list[MeetingV1] = []
    lead_changes: list[LeadChangeV1] = []
    level_changes: list[LevelChangeV1] = []
    family_needs: list[FamilyNeedV1] = []
    support: list[SupportV1] = []
    contacts: list[ContactV1] = []
    closure: ClosureV1 | None = None


class HouseholdV1(_Record):
    """One line of the file."""

    format_version: Literal[1, 2]
    external_ref: Ref
    hub_code: str
    reference: str | None = Field(
        None, description="The household's reference (FH-XXXXXX); kept if free, else refused."
    )
    registered_by: EmailStr | None = Field(
        None,
        description="Who registered the household (a practitioner's email); by default the"
        " lead of its first episode.",
    )
    address: AddressV1
    people: list[PersonV1] = Field(min_length=1)
    relationships: list[RelationshipV1] = []
    consents: list[ConsentV1] = []
    episodes: list[EpisodeV1] = []
    lawful_basis: str | None = Field(
        None,
        description="On an export: the lawful basis for disclosing the record (ignored on import).",
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one line, as published in docs/interchange.schema.json."""
    schema = HouseholdV1.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://familyhub.example/interchange/v2.schema.json"
    schema["title"] = "familyhub caseload interchange, format_version 2 (one JSON Lines line)"
    return schema
