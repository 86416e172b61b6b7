"""ORM tables: persistence only. Rules live in app/domain; repositories map rows to domain objects."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    and_,
    case,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UtcDateTime


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class HubRow(Base):
    __tablename__ = "hubs"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    neighbourhood: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class AgencyRow(Base):
    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class FamilyRow(Timestamped, Base):
    __tablename__ = "families"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    address_line1: Mapped[str] = mapped_column(String(200), nullable=False)
    address_line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    hub_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hubs.id"), nullable=False, index=True)
    created_by_practitioner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PersonRow(Timestamped, Base):
    __tablename__ = "people"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name_key: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name_key: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name_soundex: Mapped[str] = mapped_column(String(4), nullable=False, index=True)
    family_name_soundex: Mapped[str] = mapped_column(String(4), nullable=False, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_delivery_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(64))
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    send: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disabilities: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """CIN census disability codes, in the order recorded."""
    identifier_absent_reason: Mapped[str | None] = mapped_column(String(64))
    """Why the council's consistent identifier is not recorded (the identifiers are in
    `person_identifiers`)."""
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    contact_restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    restriction_reason: Mapped[str | None] = mapped_column(Text)
    restriction_visible_to: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    restriction_family_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The household the restriction was set in (see Person.restriction_family_id). No foreign
    key: a person is stored before the household they are registered with, and households are
    never deleted."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_people_family_name_key_date_of_birth", "family_name_key", "date_of_birth"),
        Index("ix_people_given_name_key", "given_name_key"),
        # Trigram indexes for typo-tolerant search on PostgreSQL (plain indexes on SQLite).
        Index(
            "ix_people_family_name_key_trgm",
            "family_name_key",
            postgresql_using="gin",
            postgresql_ops={"family_name_key": "gin_trgm_ops"},
        ),
        Index(
            "ix_people_given_name_key_trgm",
            "given_name_key",
            postgresql_using="gin",
            postgresql_ops={"given_name_key": "gin_trgm_ops"},
        ),
        Index("ix_people_date_of_birth", "date_of_birth"),
        CheckConstraint(
            "identifier_absent_reason IS NULL OR identifier_absent_reason IN"
            " ('not_known_tracing_would_delay', 'withheld_more_detrimental_to_child',"
            " 'not_applicable', 'pending_trace')",
            name="identifier_absent_reason",
        ),
    )


class PersonIdentifierRow(Base):
    """One identifier of a person under one scheme (NHS number, UPN, the council's own id ...)."""

    __tablename__ = "person_identifiers"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), nullable=False)
    scheme: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[str] = mapped_column(String(40), nullable=False)
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verified_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("person_id", "scheme"),
        # Matching a child by identifier (the duplicate check: NHS number and date of birth).
        Index("ix_person_identifiers_scheme_value", "scheme", "value"),
        CheckConstraint("scheme IN ('nhs_number', 'upn', 'la_child_id', 'other')", name="scheme"),
    )


class MembershipRow(Timestamped, Base):
    __tablename__ = "memberships"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    joined_on: Mapped[date] = mapped_column(Date, nullable=False)
    left_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_memberships_family_id_joined_on", "family_id", "joined_on"),
        CheckConstraint("role IN ('child', 'parent_carer', 'other_adult')", name="role"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )


class RelationshipRow(Base):
    __tablename__ = "relationships"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("families.id"), nullable=False, index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), nullable=False)
    related_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    __table_args__ = (UniqueConstraint("family_id", "person_id", "related_person_id", "kind"),)


class ConsentRow(Timestamped, Base):
    __tablename__ = "consents"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    given_by_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), nullable=False)
    on_behalf_of_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    sharing_scope: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    given_on: Mapped[date] = mapped_column(Date, nullable=False)
    review_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    withdrawn_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the withdrawal was recorded (the giving's is `created_at`)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_consents_family_id_given_on", "family_id", "given_on"),
        CheckConstraint("purpose IN ('early_help', 'information_sharing')", name="purpose"),
        CheckConstraint("method IN ('verbal', 'written', 'digital')", name="method"),
        CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= given_on", name="withdrawn_after_given"
        ),
    )


class ConsentAgencyRow(Base):
    __tablename__ = "consent_agencies"
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), primary_key=True)


class DisclosureRow(Base):
    """An entry of the disclosure log: information shared, or a decision not to share. Never
    updated (no version): a mistake is put right by a further entry."""

    __tablename__ = "disclosures"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("episodes.id"))
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    recipient_name: Mapped[str] = mapped_column(String(200), nullable=False)
    recipient_type: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient_agency_code: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("agencies.code")
    )
    information: Mapped[str] = mapped_column(Text, nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    lawful_basis: Mapped[str | None] = mapped_column(String(32))
    lawful_basis_detail: Mapped[str | None] = mapped_column(Text)
    not_sharing_reason: Mapped[str | None] = mapped_column(String(40))
    explanation: Mapped[str | None] = mapped_column(Text)
    decided_by_practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    recorded_by_practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (
        Index("ix_disclosures_family_id_decided_on_id", "family_id", "decided_on", "id"),
        CheckConstraint("decision IN ('shared', 'not_shared')", name="decision"),
        CheckConstraint(
            "(decision = 'shared' AND lawful_basis IS NOT NULL AND not_sharing_reason IS NULL)"
            " OR (decision = 'not_shared' AND lawful_basis IS NULL"
            " AND not_sharing_reason IS NOT NULL)",
            name="basis_or_reason",
        ),
    )


class NetworkMemberRow(Timestamped, Base):
    """Someone in a child's network outside the household (the person is in `people`)."""

    __tablename__ = "family_network_members"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), nullable=False)
    child_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    relationship: Mapped[str] = mapped_column(String(32), nullable=False)
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, nullable=False)
    agreed_role: Mapped[str | None] = mapped_column(Text)
    added_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_family_network_members_family_id_added_on", "family_id", "added_on"),
        CheckConstraint("ended_on IS NULL OR ended_on >= added_on", name="ended_after_added"),
    )


class FgdmOfferRow(Timestamped, Base):
    """An offer of family group decision-making, or a decision not to offer it."""

    __tablename__ = "fgdm_offers"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("episodes.id"))
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    decided_by_practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    offered_to_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    answered_on: Mapped[date | None] = mapped_column(Date)
    not_offered_reason: Mapped[str | None] = mapped_column(String(40))
    explanation: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_fgdm_offers_family_id_decided_on", "family_id", "decided_on"),
        CheckConstraint(
            "status IN ('awaiting_answer', 'accepted', 'declined', 'not_offered')", name="status"
        ),
    )


class FgdmMeetingRow(Base):
    """A family-led meeting: who coordinated, private family time, who came, the family's plan."""

    __tablename__ = "fgdm_meetings"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("fgdm_offers.id"))
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    meeting_type: Mapped[str] = mapped_column(String(32), nullable=False)
    coordinator_name: Mapped[str] = mapped_column(String(200), nullable=False)
    coordinator_independent: Mapped[bool] = mapped_column(Boolean, nullable=False)
    private_family_time: Mapped[bool] = mapped_column(Boolean, nullable=False)
    attendee_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    attendee_practitioner_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    family_plan: Mapped[str | None] = mapped_column(Text)
    plan_agreed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (Index("ix_fgdm_meetings_family_id_held_on", "family_id", "held_on"),)


class IdempotencyKeyRow(Base):
    """A create request already answered; a retry with the same key gets the same answer."""

    __tablename__ = "idempotency_keys"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), nullable=False)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    response_body: Mapped[Any] = mapped_column(JSON, nullable=False)
    response_headers: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    __table_args__ = (UniqueConstraint("scope", "key"),)


class PractitionerRow(Timestamped, Base):
    """The practitioner directory: who can lead, sit on a TAF, assure quality or manage."""

    __tablename__ = "practitioners"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    agency_code: Mapped[str] = mapped_column(
        ForeignKey("agencies.code"), nullable=False, index=True
    )
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    profession: Mapped[str | None] = mapped_column(String(100))
    registered_social_worker: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    social_work_registration_number: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PractitionerHubRow(Base):
    __tablename__ = "practitioner_hubs"
    practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), primary_key=True
    )
    hub_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hubs.id"), primary_key=True, index=True)


class TimelinessPolicyRow(Base):
    """A version of the council's practice standards; clocks use the version in force when they start."""

    __tablename__ = "timeliness_policies"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class EpisodeRow(Timestamped, Base):
    __tablename__ = "episodes"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id"), nullable=False)
    hub_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hubs.id"), nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    level_of_need: Mapped[str] = mapped_column(String(16), nullable=False)
    lead_practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    stage: Mapped[str] = mapped_column(String(32), nullable=False)
    previous_episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("episodes.id"))
    step_down_reference: Mapped[str | None] = mapped_column(String(100))
    step_down_notes: Mapped[str | None] = mapped_column(Text)
    consent_given_on: Mapped[date | None] = mapped_column(Date)
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    assessment_started_on: Mapped[date | None] = mapped_column(Date)
    plan_submitted_on: Mapped[date | None] = mapped_column(Date)
    plan_submissions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    """The day of every submission to QA, in order (ISO dates)."""
    plan_submitted_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    meetings_held: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_meeting_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closure_reason: Mapped[str | None] = mapped_column(String(48))
    family_life_improved: Mapped[str | None] = mapped_column(String(8))
    family_view_words: Mapped[str | None] = mapped_column(Text)
    closure_notes: Mapped[str | None] = mapped_column(Text)
    stepped_up_reference: Mapped[str | None] = mapped_column(String(100))
    qa_decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    level_history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    lead_history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_episodes_family_id_requested_on", "family_id", "requested_on"),
        Index("ix_episodes_lead_practitioner_id_stage", "lead_practitioner_id", "stage"),
        Index("ix_episodes_hub_id_stage", "hub_id", "stage"),
        Index("ix_episodes_closed_on", "closed_on"),
        Index("ix_episodes_requested_on", "requested_on"),
        # One open episode per family (the service checks it under a lock; this holds it always).
        Index(
            "uq_episodes_family_id_open",
            "family_id",
            unique=True,
            sqlite_where=text("stage <> 'closed'"),
            postgresql_where=text("stage <> 'closed'"),
        ),
        CheckConstraint(
            "stage IN ('requested', 'assessing', 'plan_awaiting_qa', 'plan_returned', 'plan_approved', "
            "'active', 'closed')",
            name="stage",
        ),
        CheckConstraint("(stage = 'closed') = (closed_on IS NOT NULL)", name="closed_has_date"),
    )


class EpisodeFamilyHelpRow(Timestamped, Base):
    """An episode's Family Help facts (app/domain/family_help.py): type and statutory basis, the
    step-across history and role-typed allocations (JSON, read and written with the record, as the
    episode's own histories), and the CIN census dates, s.47 enquiries and child protection plans
    of its child in need period."""

    __tablename__ = "episode_family_help"
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), primary_key=True)
    episode_type: Mapped[str] = mapped_column(String(16), nullable=False)
    statutory_basis: Mapped[str] = mapped_column(String(8), nullable=False)
    transitions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    allocations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    census_referral_on: Mapped[date | None] = mapped_column(Date)
    census_referral_source: Mapped[str | None] = mapped_column(String(8))
    census_primary_need: Mapped[str | None] = mapped_column(String(8))
    census_assessment_started_on: Mapped[date | None] = mapped_column(Date)
    census_assessment_authorised_on: Mapped[date | None] = mapped_column(Date)
    census_plan_started_on: Mapped[date | None] = mapped_column(Date)
    census_plan_ended_on: Mapped[date | None] = mapped_column(Date)
    census_closed_on: Mapped[date | None] = mapped_column(Date)
    census_closure_reason: Mapped[str | None] = mapped_column(String(8))
    census_s47_enquiries: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, nullable=False, default=list
    )
    """The period's s.47 enquiries (migration 0027), read and written with the record."""
    census_cp_plans: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, nullable=False, default=list
    )
    """The period's child protection plans with their review dates (migration 0027)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # The CIN census extract: child in need periods overlapping a reporting year.
        Index("ix_episode_family_help_census", "census_referral_on", "census_closed_on"),
        CheckConstraint("episode_type IN ('early_help', 'family_help')", name="episode_type"),
        CheckConstraint("statutory_basis IN ('none', 's17', 's47')", name="statutory_basis"),
        CheckConstraint(
            "episode_type = 'family_help' OR statutory_basis = 'none'", name="early_help_no_basis"
        ),
    )


class EpisodeAllocationRow(Base):
    """One allocation of `episode_family_help.allocations`, as a row the access scope can ask in
    SQL (app/db/repositories/scope.py): who is allocated to which episode, in which role, from
    when until when. Written only by the Family Help repository, with the record it copies."""

    __tablename__ = "episode_allocations"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episode_family_help.episode_id"), nullable=False, index=True
    )
    practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        # The search scope's question: the episodes this practitioner is allocated to.
        Index("ix_episode_allocations_practitioner_id_episode_id", "practitioner_id", "episode_id"),
    )


class EpisodeChildRow(Base):
    __tablename__ = "episode_children"
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id"), primary_key=True, index=True
    )


class DeadlineRow(Base):
    """Every clock an episode started, kept after it is met so timeliness rates can be reported."""

    __tablename__ = "episode_deadlines"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_from: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    met_on: Mapped[date | None] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    policy_version: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the step that started the clock was recorded (null: before familyhub kept it)."""
    ended_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the step that met or stopped it was recorded: a report known at an earlier instant
    sees the clock still running (issue 18 §2, `known_at`)."""

    __table_args__ = (
        UniqueConstraint("episode_id", "kind", "started_on"),
        Index("ix_episode_deadlines_due_on_kind", "due_on", "kind"),
        Index("ix_episode_deadlines_due_on_id", "due_on", "id"),
        Index("ix_episode_deadlines_started_on_kind", "started_on", "kind"),
        # The running clocks by due date: `running_due_on` below (migration 0009). Met and
        # stopped ones, asked about only for past days, through these two:
        Index(
            "ix_episode_deadlines_met_on",
            "met_on",
            sqlite_where=text("met_on IS NOT NULL"),
            postgresql_where=text("met_on IS NOT NULL"),
        ),
        Index(
            "ix_episode_deadlines_stopped_on",
            "stopped_on",
            sqlite_where=text("stopped_on IS NOT NULL"),
            postgresql_where=text("stopped_on IS NOT NULL"),
        ),
        CheckConstraint(
            "kind IN ('assessment', 'quality_assurance', 'first_taf', 'review')", name="kind"
        ),
    )


_DEADLINES = DeadlineRow.__table__.c
running_due_on = case(
    (and_(_DEADLINES.met_on.is_(None), _DEADLINES.stopped_on.is_(None)), _DEADLINES.due_on)
)
"""A clock's due date while it runs, NULL once met or stopped. An index on this expression, unlike
a partial index, gives PostgreSQL statistics on it, so the planner knows how few running clocks
fall due soon (bench/RESULTS.md). `app.db.queries.timeliness` asks through this same expression."""
Index("ix_episode_deadlines_running_due_on_id", running_due_on, _DEADLINES.id)


class AssessmentRow(Timestamped, Base):
    __tablename__ = "assessments"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    covered_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    strengths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    child_voice: Mapped[str | None] = mapped_column(Text)
    parents_view: Mapped[str | None] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    completed_on: Mapped[date | None] = mapped_column(Date)
    started_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("episode_id", "number"),)


class FamilyPlanRow(Timestamped, Base):
    __tablename__ = "family_plans"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    qa_decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    submitted_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("episode_id", "number"),)


class PlanActionRow(Base):
    __tablename__ = "plan_actions"
    # An action keeps its id across plan versions (a revision carries it on), so the key is both.
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("family_plans.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_taf_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)


class TafMemberRow(Timestamped, Base):
    __tablename__ = "taf_members"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    practitioner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("practitioners.id"), index=True
    )
    agency_code: Mapped[str | None] = mapped_column(String(64), ForeignKey("agencies.code"))
    role: Mapped[str] = mapped_column(String(200), nullable=False)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    joined_on: Mapped[date] = mapped_column(Date, nullable=False)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the leaving was recorded (the joining's is `created_at`)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TafMeetingRow(Base):
    __tablename__ = "taf_meetings"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    is_first: Mapped[bool] = mapped_column(Boolean, nullable=False)
    attendee_member_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    family_present: Mapped[bool] = mapped_column(Boolean, nullable=False)
    child_voice: Mapped[str] = mapped_column(String(16), nullable=False)
    progress: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (Index("ix_taf_meetings_episode_id_held_on", "episode_id", "held_on"),)


ACCESS_CHANGE_ACTIONS = (
    "deactivate_practitioner",
    "grant_role:admin",
    "grant_role:auditor",
    "grant_role:front_door_officer",
    "grant_role:link_worker",
    "grant_role:manager",
    "grant_role:practitioner",
    "grant_role:quality_assurance",
    "grant_role:reporting",
    "reactivate_practitioner",
    "revoke_role:admin",
    "revoke_role:auditor",
    "revoke_role:front_door_officer",
    "revoke_role:link_worker",
    "revoke_role:manager",
    "revoke_role:practitioner",
    "revoke_role:quality_assurance",
    "revoke_role:reporting",
)
"""The audit actions of access changes (`app.domain.security_events`); literals, because the
security events index was migrated from them: a new role needs a migration that widens it."""

SECURITY_EVENT = "action IN ({}) OR break_glass_reason IS NOT NULL".format(
    ", ".join(f"'{a}'" for a in ACCESS_CHANGE_ACTIONS)
)
"""Which audit entries are security events, as SQL: the index's predicate and, word for word, the
report's filter (SQLite uses a partial index only for a query repeating its WHERE term)."""


class AuditEntryRow(Base):
    """The audit trail's entries: inserted, never updated or deleted (triggers refuse both).

    `id` is insertion order. Entries from before keyed seals (revision 0010) also carry the
    unkeyed hash of the entry before and their own; newer ones are linked by their seal.
    """

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_roles: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    family_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    request_id: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    break_glass_reason: Mapped[str | None] = mapped_column(Text)
    problem_code: Mapped[str | None] = mapped_column(String(64))
    """Why a request the access rules allowed then failed (outcome refused or failed)."""
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    __table_args__ = (
        Index("ix_audit_entries_family_id_id", "family_id", "id"),
        Index("ix_audit_entries_actor_id_id", "actor_id", "id"),
        # The security events report: a few entries in a great many, newest first, by period.
        Index(
            "ix_audit_entries_security_events",
            "id",
            "occurred_at",
            sqlite_where=text(SECURITY_EVENT),
            postgresql_where=text(SECURITY_EVENT),
        ),
    )


class AuditSealRow(Base):
    """An entry's place in the keyed chain: inserted by the sealer, never updated or deleted."""

    __tablename__ = "audit_seals"
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id"), nullable=False, unique=True
    )
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    mac: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHeadRow(Base):
    """One row: the last sealed position and its MAC. Locking it serialises the sealers."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    mac: Mapped[str] = mapped_column(String(64), nullable=False)


class SyncStateRow(Base):
    """What a device was last sent: the versions of each record, so the next sync sends the difference."""

    __tablename__ = "sync_states"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    practitioner_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)

    __table_args__ = (
        Index("ix_sync_states_practitioner_id_created_at", "practitioner_id", "created_at"),
    )


class FamilyNeedRow(Timestamped, Base):
    """A Supporting Families need on the case record, with its outcome and sustainment check."""

    __tablename__ = "family_needs"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id"), nullable=False, index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("families.id"), nullable=False, index=True
    )
    descriptor_code: Mapped[str] = mapped_column(String(32), nullable=False)
    headline: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    identified_on: Mapped[date] = mapped_column(Date, nullable=False)
    emerged_later: Mapped[bool] = mapped_column(Boolean, nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    outcome_status: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the outcome was recorded, beside `outcome_on` (the sustainment check keeps its own
    inside `sustainment`)."""
    sustainment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(
            "outcome_status IN ('open', 'achieved', 'not_achieved')", name="outcome_status"
        ),
    )


class SupportDeliveredRow(Base):
    """A service delivered to the family during the episode (the evidence of whole-family working)."""

    __tablename__ = "support_delivered"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id"), nullable=False, index=True
    )
    service: Mapped[str] = mapped_column(String(200), nullable=False)
    provider: Mapped[str] = mapped_column(String(200), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


CONTACT_KINDS = (
    "home_visit",
    "office",
    "school",
    "phone",
    "video",
    "message",
    "attempted_visit",
)
NOTE_FIELDS = ("note", "child_voice", "what_was_done")


class ContactRow(Base):
    """A contact with the family on an episode, as first recorded (issue 19 §2): its free text is
    never updated; corrections are rows of `contact_amendments`."""

    __tablename__ = "contacts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id"), nullable=False)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("families.id"), nullable=False, index=True
    )
    happened_on: Mapped[date] = mapped_column(Date, nullable=False)
    happened_at: Mapped[time | None] = mapped_column(Time)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    seen_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    children_seen_alone: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    child_voice: Mapped[str | None] = mapped_column(Text)
    what_was_done: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False)
    named_practitioner_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    significant: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in CONTACT_KINDS) + ")", name="kind"
        ),
        # An episode's contacts in the order lists page them; its latest contact for the
        # caseload and the worklist.
        Index("ix_contacts_episode_id_happened_on_id", "episode_id", "happened_on", "id"),
    )


class ContactAmendmentRow(Base):
    """A correction appended to a contact: the field, its new and previous text, who, when, why."""

    __tablename__ = "contact_amendments"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    field: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    previous_text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    amended_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"), nullable=False)
    amended_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("contact_id", "number"),
        CheckConstraint(
            "field IN (" + ", ".join(f"'{f}'" for f in NOTE_FIELDS) + ")", name="field"
        ),
    )


CLAIM_STATES = (
    "draft",
    "ready",
    "internal_audit",
    "approved",
    "rejected",
    "submitted",
    "paid",
    "clawed_back",
)
LIVE_CLAIM_STATES = ("draft", "ready", "internal_audit", "approved", "submitted", "paid")
"""Claims that hold the family's one claim per programme phase (C6, K10): those in progress and
the successful ones. A rejected claim frees the family; a clawed-back one is judged by policy."""


class ClaimRow(Timestamped, Base):
    """A Supporting Families payment-by-results claim, its evaluation and its frozen evidence pack."""

    __tablename__ = "claims"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("families.id"), nullable=False, index=True
    )
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id"), nullable=False, index=True
    )
    programme_phase: Mapped[str] = mapped_column(String(32), nullable=False)
    programme_year: Mapped[str] = mapped_column(String(32), nullable=False)
    unit_value_pence: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(32), nullable=False)
    route: Mapped[str] = mapped_column(String(64), nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    created_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    ready_on: Mapped[date | None] = mapped_column(Date)
    prepared_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    assurance_sampled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence_pack: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    audit_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    clawback: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(
            "state IN ({})".format(", ".join(f"'{s}'" for s in CLAIM_STATES)), name="state"
        ),
        Index("ix_claims_state_period_end", "state", "period_end"),
    )


# One live claim per family per programme phase, guaranteed by the database (C6, K10): a partial
# unique index, the same on SQLite and PostgreSQL.
Index(
    "uq_claims_family_id_programme_phase_live",
    ClaimRow.family_id,
    ClaimRow.programme_phase,
    unique=True,
    sqlite_where=ClaimRow.state.in_(LIVE_CLAIM_STATES),
    postgresql_where=ClaimRow.state.in_(LIVE_CLAIM_STATES),
)


class SfPolicyRow(Base):
    """A version of the council's Supporting Families claim policy (thresholds, years, funding)."""

    __tablename__ = "sf_policies"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    # The council's day the version was recorded: it judges no period that ended before.
    recorded_on: Mapped[date] = mapped_column(Date, nullable=False)


class SfFrameworkRow(Base):
    """A version of the outcome framework document as uploaded by an admin (who, when, why)."""

    __tablename__ = "sf_frameworks"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class DocumentRow(Base):
    """A document on a family's record (issue 19 §4); its content is in `document_chunks`.

    `owner_kind`/`owner_id` name the record it is attached to; `family_id` and `episode_id` the
    family and episode whose access rules it follows (neither for a request for support's: the
    request's own rules apply). Erased: the content is gone, the fact stays.
    """

    __tablename__ = "documents"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    family_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("families.id"))
    episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(120), nullable=False)
    doc_type: Mapped[str] = mapped_column(String(16), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    chunk_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False)
    visible_to: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    dated_on: Mapped[date] = mapped_column(Date, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    erasure_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(
            "owner_kind IN ('family', 'episode', 'contact', 'request')", name="owner_kind"
        ),
        # A request's document is filed under no family (its rules are the request's); every
        # other is filed under the family whose rules it follows.
        CheckConstraint(
            "(owner_kind = 'request') = (family_id IS NULL)", name="family_unless_request"
        ),
        CheckConstraint(
            "doc_type IN ('pdf', 'png', 'jpeg', 'docx', 'odt', 'text')", name="doc_type"
        ),
        Index(
            "ix_documents_owner_dated",
            "owner_kind",
            "owner_id",
            "dated_on",
            "uploaded_at",
            "id",
        ),
        Index("ix_documents_family_id_dated_on", "family_id", "dated_on"),
    )


class DocumentChunkRow(Base):
    """One piece (256 KB) of a document's content, in order. The foreign key is checked at
    commit, so the chunks stream in before the document's row, whose type, size and hash are
    known only after the last."""

    __tablename__ = "document_chunks"
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", deferrable=True, initially="DEFERRED"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class SupportRequestRow(Timestamped, Base):
    """A request for support at the front door and its screening decision (issue 19 §1)."""

    __tablename__ = "support_requests"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    created_by_practitioner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("practitioners.id"), nullable=False
    )
    referrer_kind: Mapped[str] = mapped_column(String(24), nullable=False)
    referrer_agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    referrer_name: Mapped[str | None] = mapped_column(String(200))
    referrer_role: Mapped[str | None] = mapped_column(String(200))
    referrer_contact: Mapped[str | None] = mapped_column(String(200))
    family_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("families.id"))
    child_person_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    household: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A household not yet registered, as the referrer described it."""
    asked_for: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    family_agreed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False)
    decision_due_on: Mapped[date] = mapped_column(Date, nullable=False)
    policy_version: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome: Mapped[str | None] = mapped_column(String(24))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("practitioners.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    step_up_reference: Mapped[str | None] = mapped_column(String(100))
    episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("episodes.id"))
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # The list: newest receipt first; the front door's overdue view: by due day.
        Index("ix_support_requests_received_on_id", "received_on", "id"),
        Index("ix_support_requests_outcome_due_on_id", "outcome", "decision_due_on", "id"),
        Index("ix_support_requests_family_id_received_on", "family_id", "received_on"),
        Index("ix_support_requests_created_by_practitioner_id", "created_by_practitioner_id"),
        Index("ix_support_requests_episode_id", "episode_id"),
        CheckConstraint("referrer_kind IN ('agency', 'self_referral')", name="referrer_kind"),
        CheckConstraint("urgency IN ('routine', 'urgent')", name="urgency"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('no_further_action', 'signpost', 'early_help', "
            "'step_up', 'already_open')",
            name="outcome",
        ),
        CheckConstraint("(outcome IS NULL) = (decided_on IS NULL)", name="decided_has_date"),
        CheckConstraint(
            "decided_on IS NULL OR decided_on >= received_on", name="decided_after_receipt"
        ),
        CheckConstraint(
            "family_id IS NOT NULL OR household IS NOT NULL", name="family_or_household"
        ),
    )


class ExternalRefRow(Base):
    """The source system's id of an imported record (issue 18 §3), unique per kind."""

    __tablename__ = "external_refs"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    internal_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    __table_args__ = (UniqueConstraint("kind", "internal_id"),)
