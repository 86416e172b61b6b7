"""Shapes of Supporting Families claims, the claims report and the claims reference data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.api.schemas.base import CaseDate, ReadSchema, Schema
from app.domain.outcomes_framework import council_policy_to_dict
from app.domain.supporting_families import AuditOutcome, ClaimState, RuleResult
from app.services.claims import ClaimsReport, FrameworkHistory, PolicyHistory, ReportRow
from app.services.ports import StoredClaim

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class RuleResultRead(ReadSchema):
    rule_id: str = Field(description="C1-C9, K13, LOOKBACK or VERIFIED (rule book §4.1).")
    passed: bool
    reason: str = Field(description="Why, for an auditor or SF lead to read.")

    @classmethod
    def of(cls, r: RuleResult) -> RuleResultRead:
        return cls(rule_id=r.rule_id.value, passed=r.passed, reason=r.reason)


class AuditDecisionRead(ReadSchema):
    auditor_id: uuid.UUID
    outcome: AuditOutcome
    decided_on: date
    notes: str


class ClaimEventRead(ReadSchema):
    from_state: ClaimState | None
    to_state: ClaimState
    on: date
    by: uuid.UUID
    note: str | None


class ClaimSummaryRead(ReadSchema):
    id: uuid.UUID
    state: ClaimState
    programme_phase: str
    programme_year: str
    unit_value_pence: int | None = Field(description="Copied when the claim was raised (§4.4).")
    content_hash: str | None = Field(description="sha256 of the frozen evidence pack.")
    version: int

    @classmethod
    def of(cls, stored: StoredClaim) -> ClaimSummaryRead:
        c = stored.claim
        return cls(
            id=c.id,
            state=c.state,
            programme_phase=c.programme_phase,
            programme_year=c.programme_year,
            unit_value_pence=c.unit_value_pence,
            content_hash=c.evidence_pack.content_hash if c.evidence_pack else None,
            version=c.version,
        )


class ClaimRead(ReadSchema):
    id: uuid.UUID
    family_id: uuid.UUID
    episode_id: uuid.UUID
    state: ClaimState
    framework_version: str
    route: str
    programme_phase: str
    programme_year: str
    unit_value_pence: int | None
    period_end: date = Field(description="The batch period the claim was raised for.")
    created_on: date
    created_by: uuid.UUID
    ready_on: date | None
    prepared_by: uuid.UUID | None
    submitted_on: date | None
    paid_on: date | None
    evaluation: list[RuleResultRead] = Field(description="Every rule it was last judged by.")
    evaluated_on: date | None
    internal_audit: AuditDecisionRead | None
    evidence_pack: dict[str, Any] | None = Field(
        description="The frozen evidence pack (§4.3), as stored; null until sent to audit."
    )
    evidence_pack_canonical_json: str | None = Field(
        description="The pack's canonical JSON text, exactly as hashed."
    )
    content_hash: str | None = Field(description="sha256 of `evidence_pack_canonical_json`.")
    history: list[ClaimEventRead]
    version: int

    @classmethod
    def of(cls, stored: StoredClaim) -> ClaimRead:
        c = stored.claim
        pack = c.evidence_pack
        return cls(
            id=c.id,
            family_id=c.family_id,
            episode_id=c.episode_id,
            state=c.state,
            framework_version=c.framework_version,
            route=c.route.value,
            programme_phase=c.programme_phase,
            programme_year=c.programme_year,
            unit_value_pence=c.unit_value_pence,
            period_end=stored.period_end,
            created_on=c.created_on,
            created_by=c.created_by,
            ready_on=c.ready_on,
            prepared_by=c.prepared_by,
            submitted_on=c.submitted_on,
            paid_on=c.paid_on,
            evaluation=[RuleResultRead.of(r) for r in stored.evaluation],
            evaluated_on=stored.evaluated_on,
            internal_audit=None if c.audit is None else AuditDecisionRead.model_validate(c.audit),
            evidence_pack=None if pack is None else pack.content(),
            evidence_pack_canonical_json=None if pack is None else pack.canonical_json,
            content_hash=None if pack is None else pack.content_hash,
            history=[ClaimEventRead.model_validate(e) for e in c.history],
            version=c.version,
        )


class ClaimsReportRowRead(ReadSchema):
    family_id: uuid.UUID
    family_reference: str
    episode_id: uuid.UUID
    status: str = Field(
        description="claimable, not_claimable, claimed (live claim), rejected or clawed_back."
    )
    headlines: list[str] = Field(description="Headline codes of the family's needs.")
    failing_rules: list[RuleResultRead]
    claim: ClaimSummaryRead | None

    @classmethod
    def of(cls, row: ReportRow) -> ClaimsReportRowRead:
        return cls(
            family_id=row.family_id,
            family_reference=row.family_reference,
            episode_id=row.episode_id,
            status=row.status,
            headlines=list(row.headlines),
            failing_rules=[RuleResultRead.of(r) for r in row.failing_rules],
            claim=None if row.claim is None else ClaimSummaryRead.of(row.claim),
        )


class ClaimsReportRead(ReadSchema):
    period_end: date
    families: list[ClaimsReportRowRead]
    raised_claim_ids: list[uuid.UUID] = Field(description="Claims this batch run raised.")
    submitted_claim_ids: list[uuid.UUID] = Field(description="Claims this batch run submitted.")

    @classmethod
    def of(cls, report: ClaimsReport) -> ClaimsReportRead:
        return cls(
            period_end=report.period_end,
            families=[ClaimsReportRowRead.of(r) for r in report.rows],
            raised_claim_ids=report.raised,
            submitted_claim_ids=report.submitted,
        )

    @classmethod
    def json_chunks(cls, report: ClaimsReport, rows_per_chunk: int = 500) -> Iterator[bytes]:
        """The same JSON as `of(report)`, written a batch of rows at a time.

        The county's report is about 20 MB of JSON; building it whole cost the worker about
        90 MB more at its peak (bench/RESULTS.md).
        """
        envelope = cls(
            period_end=report.period_end,
            families=[],
            raised_claim_ids=report.raised,
            submitted_claim_ids=report.submitted,
        ).model_dump_json()
        before, after = envelope.split('"families":[]', 1)
        yield (before + '"families":[').encode()
        rows = report.rows
        for start in range(0, len(rows), rows_per_chunk):
            batch = ",".join(
                ClaimsReportRowRead.of(r).model_dump_json()
                for r in rows[start : start + rows_per_chunk]
            )
            yield (("," if start else "") + batch).encode()
        yield ("]" + after).encode()


CLAIMS_REPORT_COLUMNS = (
    "period_end",
    "family_reference",
    "family_id",
    "episode_id",
    "status",
    "headlines",
    "claim_id",
    "claim_state",
    "unit_value_pence",
    "content_hash",
    "failing_rules",
)
"""The CSV columns of the claims report, in order (the API and `familyhub report` share them)."""


def claims_report_rows(report: ClaimsReport) -> Iterator[tuple[object, ...]]:
    """The claims report as CSV rows: ids, references, states and rule ids; no names."""
    for row in report.rows:
        claim = row.claim.claim if row.claim else None
        pack = claim.evidence_pack if claim else None
        yield (
            report.period_end.isoformat(),
            row.family_reference,
            str(row.family_id),
            str(row.episode_id),
            row.status,
            " ".join(row.headlines),
            str(claim.id) if claim else None,
            claim.state.value if claim else None,
            claim.unit_value_pence if claim else None,
            pack.content_hash if pack else None,
            " ".join(r.rule_id.value for r in row.failing_rules),
        )


class ClaimBatchCreate(Schema):
    period_end: CaseDate = Field(description="The last day of the (monthly or quarterly) period.")


class ClaimCreate(Schema):
    episode_id: uuid.UUID = Field(description="The family's closed episode to claim for.")
    period_end: CaseDate = Field(description="The batch period the claim belongs to.")


class AuditIn(Schema):
    outcome: AuditOutcome = Field(description="approved or rejected.")
    notes: Notes = Field(description="Internal audit's notes (the reason, when rejecting).")


class FrameworkCreate(Schema):
    document: dict[str, Any] = Field(
        description="The outcome framework document (schema_version, versions, council_policy)."
    )
    reason: Reason = Field(description="Why the framework changes, for the record.")


class FrameworkVersionRead(ReadSchema):
    version: int
    reason: str
    created_by: uuid.UUID | None
    created_at: datetime


class FrameworkRead(ReadSchema):
    shipped_default: bool = Field(description="True while no admin has uploaded a framework.")
    current: dict[str, Any] = Field(description="The framework document in use.")
    versions: list[FrameworkVersionRead] = Field(description="Every upload, oldest first.")

    @classmethod
    def of(cls, history: FrameworkHistory) -> FrameworkRead:
        return cls(
            shipped_default=history.shipped_default,
            current=history.current,
            versions=[
                FrameworkVersionRead(
                    version=v.version,
                    reason=v.reason,
                    created_by=v.created_by,
                    created_at=v.created_at,
                )
                for v in history.versions
            ],
        )


class SfPolicyCreate(Schema):
    effective_from: CaseDate = Field(description="Claims dated on or after this day use it.")
    policy: dict[str, Any] = Field(
        description="The council policy block (funding_model, min_needs, programme_years ...)."
    )
    reason: Reason = Field(description="Why the policy changes, for the record.")


class SfPolicyVersionRead(ReadSchema):
    version: int
    effective_from: date
    policy: dict[str, Any]
    reason: str
    created_by: uuid.UUID | None
    created_at: datetime


class SfPolicyRead(ReadSchema):
    in_force_version: int | None = Field(
        description="The version in force today; null while the framework's default applies."
    )
    in_force: dict[str, Any] = Field(description="The policy in force today.")
    versions: list[SfPolicyVersionRead] = Field(description="Every version, oldest first.")

    @classmethod
    def of(cls, history: PolicyHistory) -> SfPolicyRead:
        return cls(
            in_force_version=history.in_force_version,
            in_force=council_policy_to_dict(history.in_force),
            versions=[
                SfPolicyVersionRead(
                    version=v.version,
                    effective_from=v.effective_from,
                    policy=council_policy_to_dict(v.policy),
                    reason=v.reason,
                    created_by=v.created_by,
                    created_at=v.created_at,
                )
                for v in history.versions
            ],
        )
