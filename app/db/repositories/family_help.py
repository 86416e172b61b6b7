"""An episode's Family Help record, and the children the CIN census extract reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified

from app.db.models import (
    EpisodeAllocationRow,
    EpisodeChildRow,
    EpisodeFamilyHelpRow,
    PersonIdentifierRow,
    PersonRow,
)
from app.db.repositories.versioned import row_to_save
from app.domain.family_help import (
    Allocation,
    AllocationRole,
    CensusDates,
    ChildProtection,
    ChildProtectionPlan,
    EpisodeType,
    FamilyHelpRecord,
    S47Enquiry,
    StatutoryBasis,
    Transition,
    TransitionKind,
)
from app.services.ports import CensusChildRow


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _transition_to_json(t: Transition) -> dict[str, Any]:
    return {
        "id": str(t.id),
        "kind": t.kind.value,
        "from_type": t.from_type.value,
        "to_type": t.to_type.value,
        "from_basis": t.from_basis.value,
        "to_basis": t.to_basis.value,
        "effective_on": t.effective_on.isoformat(),
        "decided_by": str(t.decided_by),
        "reason": t.reason,
        "threshold_document_version": t.threshold_document_version,
        "external_system": t.external_system,
        "external_reference": t.external_reference,
        "recorded_at": _iso(t.recorded_at),
    }


def _transition_from_json(d: dict[str, Any]) -> Transition:
    return Transition(
        id=uuid.UUID(d["id"]),
        kind=TransitionKind(d["kind"]),
        from_type=EpisodeType(d["from_type"]),
        to_type=EpisodeType(d["to_type"]),
        from_basis=StatutoryBasis(d["from_basis"]),
        to_basis=StatutoryBasis(d["to_basis"]),
        effective_on=date.fromisoformat(d["effective_on"]),
        decided_by=uuid.UUID(d["decided_by"]),
        reason=d["reason"],
        threshold_document_version=d["threshold_document_version"],
        external_system=d.get("external_system"),
        external_reference=d.get("external_reference"),
        recorded_at=_instant(d.get("recorded_at")),
    )


def _allocation_to_json(a: Allocation) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "practitioner_id": str(a.practitioner_id),
        "role": a.role.value,
        "started_on": a.started_on.isoformat(),
        "ended_on": _iso(a.ended_on),
        "chosen_with_family": a.chosen_with_family,
        "family_choice_note": a.family_choice_note,
        "end_reason": a.end_reason,
        "recorded_at": _iso(a.recorded_at),
    }


def _allocation_from_json(d: dict[str, Any]) -> Allocation:
    return Allocation(
        id=uuid.UUID(d["id"]),
        practitioner_id=uuid.UUID(d["practitioner_id"]),
        role=AllocationRole(d["role"]),
        started_on=date.fromisoformat(d["started_on"]),
        ended_on=_day(d.get("ended_on")),
        chosen_with_family=d.get("chosen_with_family"),
        family_choice_note=d.get("family_choice_note"),
        end_reason=d.get("end_reason"),
        recorded_at=_instant(d.get("recorded_at")),
    )


def _enquiry_to_json(e: S47Enquiry) -> dict[str, Any]:
    return {
        "started_on": e.started_on.isoformat(),
        "icpc_not_required": e.icpc_not_required,
        "icpc_on": _iso(e.icpc_on),
    }


def _enquiry_from_json(d: dict[str, Any]) -> S47Enquiry:
    return S47Enquiry(
        started_on=date.fromisoformat(d["started_on"]),
        icpc_not_required=bool(d.get("icpc_not_required", False)),
        icpc_on=_day(d.get("icpc_on")),
    )


def _plan_to_json(p: ChildProtectionPlan) -> dict[str, Any]:
    return {
        "started_on": p.started_on.isoformat(),
        "initial_category_code": p.initial_category_code,
        "latest_category_code": p.latest_category_code,
        "ended_on": _iso(p.ended_on),
        "review_dates": [r.isoformat() for r in p.review_dates],
    }


def _plan_from_json(d: dict[str, Any]) -> ChildProtectionPlan:
    return ChildProtectionPlan(
        started_on=date.fromisoformat(d["started_on"]),
        initial_category_code=d["initial_category_code"],
        latest_category_code=d.get("latest_category_code"),
        ended_on=_day(d.get("ended_on")),
        review_dates=tuple(date.fromisoformat(r) for r in d.get("review_dates", [])),
    )


def _domain(row: EpisodeFamilyHelpRow) -> FamilyHelpRecord:
    return FamilyHelpRecord(
        episode_id=row.episode_id,
        episode_type=EpisodeType(row.episode_type),
        statutory_basis=StatutoryBasis(row.statutory_basis),
        transitions=[_transition_from_json(t) for t in row.transitions],
        allocations=[_allocation_from_json(a) for a in row.allocations],
        census=CensusDates(
            referral_on=row.census_referral_on,
            referral_source_code=row.census_referral_source,
            primary_need_code=row.census_primary_need,
            assessment_started_on=row.census_assessment_started_on,
            assessment_authorised_on=row.census_assessment_authorised_on,
            plan_started_on=row.census_plan_started_on,
            plan_ended_on=row.census_plan_ended_on,
            closed_on=row.census_closed_on,
            closure_reason_code=row.census_closure_reason,
        ),
        child_protection=ChildProtection(
            s47_enquiries=tuple(_enquiry_from_json(e) for e in row.census_s47_enquiries or []),
            plans=tuple(_plan_from_json(p) for p in row.census_cp_plans or []),
        ),
        version=row.version,
    )


def _apply(row: EpisodeFamilyHelpRow, r: FamilyHelpRecord) -> None:
    row.episode_type = r.episode_type.value
    row.statutory_basis = r.statutory_basis.value
    row.transitions = [_transition_to_json(t) for t in r.transitions]
    row.allocations = [_allocation_to_json(a) for a in r.allocations]
    c = r.census
    row.census_referral_on = c.referral_on
    row.census_referral_source = c.referral_source_code
    row.census_primary_need = c.primary_need_code
    row.census_assessment_started_on = c.assessment_started_on
    row.census_assessment_authorised_on = c.assessment_authorised_on
    row.census_plan_started_on = c.plan_started_on
    row.census_plan_ended_on = c.plan_ended_on
    row.census_closed_on = c.closed_on
    row.census_closure_reason = c.closure_reason_code
    row.census_s47_enquiries = [_enquiry_to_json(e) for e in r.child_protection.s47_enquiries]
    row.census_cp_plans = [_plan_to_json(p) for p in r.child_protection.plans]


class SqlFamilyHelpRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, episode_id: uuid.UUID) -> FamilyHelpRecord | None:
        row = self._session.get(EpisodeFamilyHelpRow, episode_id)
        return _domain(row) if row is not None else None

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyHelpRecord]:
        if not episode_ids:
            return []
        rows = self._session.scalars(
            select(EpisodeFamilyHelpRow)
            .where(EpisodeFamilyHelpRow.episode_id.in_(list(episode_ids)))
            .order_by(EpisodeFamilyHelpRow.episode_id)
        )
        return [_domain(r) for r in rows]

    def add(self, record: FamilyHelpRecord, *, at: datetime) -> None:
        row = EpisodeFamilyHelpRow(episode_id=record.episode_id, created_at=at, updated_at=at)
        _apply(row, record)
        self._session.add(row)
        self._session.flush()
        self._copy_allocations(record)
        record.version = row.version

    def save(self, record: FamilyHelpRecord, *, at: datetime) -> None:
        row = row_to_save(self._session, EpisodeFamilyHelpRow, record.episode_id, record.version)
        _apply(row, record)
        row.updated_at = at
        flag_modified(row, "updated_at")
        self._session.flush()
        self._copy_allocations(record)
        record.version = row.version

    def _copy_allocations(self, record: FamilyHelpRecord) -> None:
        """Keep `episode_allocations` the same as the record's allocations: the access scope
        reads them there (app/db/repositories/scope.py), the access facts too, so lists and
        single reads answer alike. After the record's own flush, which takes its version."""
        self._session.execute(
            delete(EpisodeAllocationRow).where(EpisodeAllocationRow.episode_id == record.episode_id)
        )
        if record.allocations:
            self._session.execute(
                insert(EpisodeAllocationRow),
                [
                    {
                        "id": a.id,
                        "episode_id": record.episode_id,
                        "practitioner_id": a.practitioner_id,
                        "role": a.role.value,
                        "started_on": a.started_on,
                        "ended_on": a.ended_on,
                    }
                    for a in record.allocations
                ],
            )

    def census_children(self, period_start: date, period_end: date) -> list[CensusChildRow]:
        la_id = aliased(PersonIdentifierRow)
        upn = aliased(PersonIdentifierRow)
        nhs = aliased(PersonIdentifierRow)
        stmt = (
            select(
                EpisodeFamilyHelpRow,
                EpisodeChildRow.person_id,
                la_id.value,
                upn.value,
                nhs.value,
                PersonRow.date_of_birth,
                PersonRow.expected_delivery_date,
                PersonRow.sex,
                PersonRow.ethnicity,
                PersonRow.disabilities,
            )
            .join(EpisodeChildRow, EpisodeChildRow.episode_id == EpisodeFamilyHelpRow.episode_id)
            .join(PersonRow, PersonRow.id == EpisodeChildRow.person_id)
            .outerjoin(la_id, and_(la_id.person_id == PersonRow.id, la_id.scheme == "la_child_id"))
            .outerjoin(upn, and_(upn.person_id == PersonRow.id, upn.scheme == "upn"))
            .outerjoin(nhs, and_(nhs.person_id == PersonRow.id, nhs.scheme == "nhs_number"))
            .where(
                EpisodeFamilyHelpRow.census_referral_on.is_not(None),
                EpisodeFamilyHelpRow.census_referral_on <= period_end,
                or_(
                    EpisodeFamilyHelpRow.census_closed_on.is_(None),
                    EpisodeFamilyHelpRow.census_closed_on >= period_start,
                ),
            )
            .order_by(
                EpisodeFamilyHelpRow.census_referral_on,
                EpisodeFamilyHelpRow.episode_id,
                EpisodeChildRow.person_id,
            )
        )
        records: dict[uuid.UUID, FamilyHelpRecord] = {}
        found = []
        for (
            row,
            person_id,
            la_child_id,
            upn_value,
            nhs_number,
            born,
            expected,
            sex,
            ethnicity,
            disabilities,
        ) in self._session.execute(stmt):
            record = records.setdefault(row.episode_id, _domain(row))
            found.append(
                CensusChildRow(
                    episode_id=row.episode_id,
                    person_id=person_id,
                    la_child_id=la_child_id,
                    upn=upn_value,
                    date_of_birth=born,
                    record=record,
                    nhs_number=nhs_number,
                    expected_birth_on=expected,
                    sex=sex,
                    ethnicity=ethnicity,
                    disabilities=tuple(disabilities or ()),
                )
            )
        return found
