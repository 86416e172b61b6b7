"""ORM tables: persistence only. Rules live in app/domain; repositories map rows to domain objects."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
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
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PersonRow(Timestamped, Base):
    __tablename__ = "people"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name_key: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name_key: Mapped[str] = mapped_column(String(100), nullable=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_delivery_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(64))
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    send: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    contact_restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    restriction_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_people_family_name_key_date_of_birth", "family_name_key", "date_of_birth"),
        Index("ix_people_given_name_key", "given_name_key"),
        Index("ix_people_date_of_birth", "date_of_birth"),
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
