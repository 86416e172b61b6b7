"""Shapes of Supporting Families claims, the claims report and the claims reference data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from pydantic import ConfigDict, Field, StringConstraints

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, ReadSchema, Schema
from app.domain.outcomes_framework import ClaimCadence, ClaimRoute, council_policy_to_dict
from app.domain.supporting_families import AuditOutcome, ClaimState, RuleId, RuleResult
from app.services.claims import ClaimsReport, FrameworkHistory, PolicyHistory, ReportRow
from app.services.ports import StoredClaim

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


ClaimsReportRowStatus = Literal["claimable", "not_claimable", "claimed", "rejected", "clawed_back"]


class RuleResultRead(ReadSchema):
    """How a claim fared against one rule."""

    rule_id: RuleId = Field(description="C1-C9, K13, LOOKBACK or VERIFIED (rule book §4.1).")
    passed: bool = Field(description="Whether the rule is met.")
    reason: str = Field(description="Why, for an auditor or SF lead to read.")

    @classmethod
    def of(cls, r: RuleResult) -> RuleResultRead:
        return cls(rule_id=r.rule_id, passed=r.passed, reason=r.reason)


class AuditDecisionRead(ReadSchema):
    """Internal audit's decision on a claim."""

    auditor_id: uuid.UUID = Field(description="The auditor.")
    outcome: AuditOutcome = Field(description="approved or rejected.")
    decided_on: date = Field(description="The day of the decision.")
    notes: str = Field(description="The auditor's notes.")


class ClaimEventRead(ReadSchema):
    """One change of a claim's state."""

    from_state: ClaimState | None = Field(description="The state before; null when raised.")
    to_state: ClaimState = Field(description="The state after.")
    on: date = Field(description="The day it changed.")
    by: uuid.UUID = Field(description="Who changed it.")
    note: str | None = Field(description="Why, when recorded.")


class ClaimSummaryRead(ReadSchema):
    """A claim, in short, as a report row shows it."""

    id: uuid.UUID = Field(description="The claim's id.")
    state: ClaimState = Field(description="Where the claim is.")
    programme_phase: str = Field(description="The Supporting Families programme phase.")
    programme_year: str = Field(description="The programme year (e.g. '2025-26').")
    unit_value_pence: int | None = Field(description="Copied when the claim was raised (§4.4).")
    content_hash: str | None = Field(description="sha256 of the frozen evidence pack.")
    version: int = Field(description='The claim\'s version: its ETag is `"<version>"`.')

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


EVALUATION = [
    {"rule_id": "C1", "passed": True, "reason": "The episode closed on 2026-06-19."},
    {"rule_id": "C3", "passed": True, "reason": "2 headlines with needs: EDU, HEALTH."},
]
CLAIM_READ: dict[str, Any] = {
    "id": ex.CLAIM,
    "family_id": ex.FAMILY,
    "episode_id": ex.EPISODE,
    "state": "internal_audit",
    "framework_version": "2025-04",
    "route": "significant_and_sustained_progress",
    "programme_phase": "2022-25",
    "programme_year": "2026-27",
    "unit_value_pence": 80000,
    "period_end": "2026-12-31",
    "created_on": "2027-01-04",
    "created_by": ex.ADMIN,
    "ready_on": "2027-01-04",
    "prepared_by": ex.ADMIN,
    "submitted_on": None,
    "paid_on": None,
    "evaluation": EVALUATION,
    "evaluated_on": "2027-01-04",
    "internal_audit": None,
    "evidence_pack": {"episode_id": ex.EPISODE, "needs": ["EDU.a"]},
    "evidence_pack_canonical_json": '{"episode_id":"' + ex.EPISODE + '","needs":["EDU.a"]}',
    "content_hash": "9f2c5b0e8d7a6c4b3e2f1a0d9c8b7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
    "history": [
        {
            "from_state": None,
            "to_state": "draft",
            "on": "2027-01-04",
            "by": ex.ADMIN,
            "note": None,
        },
        {
            "from_state": "draft",
            "to_state": "internal_audit",
            "on": "2027-01-04",
            "by": ex.ADMIN,
            "note": None,
        },
    ],
    "version": 2,
}


class ClaimRead(ReadSchema):
    """A Supporting Families claim with its rule results and frozen evidence pack."""

    model_config = ConfigDict(json_schema_extra=ex.examples(CLAIM_READ))

    id: uuid.UUID = Field(description="The claim's id.")
    family_id: uuid.UUID = Field(description="The family claimed for.")
    episode_id: uuid.UUID = Field(description="The closed episode claimed for.")
    state: ClaimState = Field(description="Where the claim is.")
    framework_version: str = Field(description="The outcome framework version it was judged by.")
    route: ClaimRoute = Field(description="How the result is claimed.")
    programme_phase: str = Field(description="The Supporting Families programme phase.")
    programme_year: str = Field(description="The programme year.")
    unit_value_pence: int | None = Field(
        description="The payment the claim is worth, in pence; null for a local scheme."
    )
    period_end: date = Field(description="The batch period the claim was raised for.")
    created_on: date = Field(description="When it was raised.")
    created_by: uuid.UUID = Field(description="Who raised it.")
    ready_on: date | None = Field(description="When it was ready for audit.")
    prepared_by: uuid.UUID | None = Field(description="Who prepared it.")
    submitted_on: date | None = Field(description="When it was submitted.")
    paid_on: date | None = Field(description="When it was paid.")
    evaluation: list[RuleResultRead] = Field(description="Every rule it was last judged by.")
    evaluated_on: date | None = Field(description="When it was last judged.")
    internal_audit: AuditDecisionRead | None = Field(
        description="Internal audit's decision; null until decided."
    )
    evidence_pack: dict[str, Any] | None = Field(
        description="The frozen evidence pack (§4.3), as stored; null until sent to audit."
    )
    evidence_pack_canonical_json: str | None = Field(
        description="The pack's canonical JSON text, exactly as hashed."
    )
    content_hash: str | None = Field(description="sha256 of `evidence_pack_canonical_json`.")
    history: list[ClaimEventRead] = Field(description="Every change of state, oldest first.")
    version: int = Field(description='The claim\'s version: its ETag is `"<version>"`.')

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
            route=c.route,
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


CLAIMS_ROW = {
    "family_id": ex.FAMILY,
    "family_reference": ex.FAMILY_REFERENCE,
    "episode_id": ex.EPISODE,
    "status": "claimable",
    "headlines": ["EDU", "HEALTH"],
    "failing_rules": [],
    "claim": None,
}


class ClaimsReportRowRead(ReadSchema):
    """One family's episode in the claims report."""

    family_id: uuid.UUID = Field(description="The family.")
    family_reference: str = Field(description="The family's reference.")
    episode_id: uuid.UUID = Field(description="The closed episode.")
    status: ClaimsReportRowStatus = Field(
        description="claimable, not_claimable, claimed (live claim), rejected or clawed_back."
    )
    headlines: list[str] = Field(description="Headline codes of the family's needs.")
    failing_rules: list[RuleResultRead] = Field(description="The rules it does not meet.")
    claim: ClaimSummaryRead | None = Field(description="Its claim, if one was raised.")

    @classmethod
    def of(cls, row: ReportRow) -> ClaimsReportRowRead:
        return cls(
            family_id=row.family_id,
            family_reference=row.family_reference,
            episode_id=row.episode_id,
            status=_row_status(row.status),
            headlines=list(row.headlines),
            failing_rules=[RuleResultRead.of(r) for r in row.failing_rules],
            claim=None if row.claim is None else ClaimSummaryRead.of(row.claim),
        )


def _row_status(status: str) -> ClaimsReportRowStatus:
    if status not in ("claimable", "not_claimable", "claimed", "rejected", "clawed_back"):
        raise ValueError(f"a claims report row cannot be {status!r}")
    return cast(ClaimsReportRowStatus, status)


CLAIMS_REPORT = {
    "period_start": "2026-12-01",
    "period_end": "2026-12-31",
    "cadence": "monthly",
    "families": [CLAIMS_ROW],
    "raised_claim_ids": [],
    "submitted_claim_ids": [],
    "known_at": None,
    "entered_after_period": 1,
}


class ClaimsReportRead(ReadSchema):
    """A batch period's families: claimed, claimable and not claimable, with rule results."""

    model_config = ConfigDict(json_schema_extra=ex.examples(CLAIMS_REPORT))

    period_start: date = Field(description="The first day of the batch period.")
    period_end: date = Field(
        description="The last day of the batch period (the day asked for may be any day of it)."
    )
    cadence: ClaimCadence = Field(description="The council's claim cadence: monthly or quarterly.")
    families: list[ClaimsReportRowRead] = Field(description="One row per family's episode.")
    raised_claim_ids: list[uuid.UUID] = Field(description="Claims this batch run raised.")
    submitted_claim_ids: list[uuid.UUID] = Field(description="Claims this batch run submitted.")
    known_at: datetime | None = Field(
        description="The instant the report is as known at; null: everything recorded so far."
    )
    entered_after_period: int = Field(
        description="How many parts of the reported families' records (closures, household "
        "changes, assessments completed, plans, support, needs, outcomes and sustainment "
        "checks) were recorded after the batch period ended."
    )

    @classmethod
    def of(cls, report: ClaimsReport) -> ClaimsReportRead:
        return cls(
            period_start=report.period.start,
            period_end=report.period.end,
            cadence=report.period.cadence,
            families=[ClaimsReportRowRead.of(r) for r in report.rows],
            raised_claim_ids=report.raised,
            submitted_claim_ids=report.submitted,
            known_at=report.known_at,
            entered_after_period=report.entered_after_period,
        )

    @classmethod
    def json_chunks(cls, report: ClaimsReport, rows_per_chunk: int = 500) -> Iterator[bytes]:
        """The same JSON as `of(report)`, written a batch of rows at a time.

        The county's report is about 20 MB of JSON; building it whole cost the worker about
        90 MB more at its peak (bench/RESULTS.md).
        """
        envelope = cls(
            period_start=report.period.start,
            period_end=report.period.end,
            cadence=report.period.cadence,
            families=[],
            raised_claim_ids=report.raised,
            submitted_claim_ids=report.submitted,
            known_at=report.known_at,
            entered_after_period=report.entered_after_period,
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
    """A claims batch run for a period end."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"period_end": "2026-12-31"}))

    period_end: CaseDate = Field(description="The last day of the (monthly or quarterly) period.")


class ClaimCreate(Schema):
    """One family's claim to raise."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "episode_id": ex.EPISODE,
                "period_end": "2026-12-31",
                "route": "significant_and_sustained_progress",
            }
        )
    )

    episode_id: uuid.UUID = Field(description="The family's closed episode to claim for.")
    period_end: CaseDate = Field(description="The batch period the claim belongs to.")
    route: ClaimRoute = Field(
        default=ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
        description="How the result is claimed (C9): significant and sustained progress, or "
        "continuous employment, a route only under frameworks before 2022-10 (K7).",
    )


class AuditIn(Schema):
    """Internal audit's decision on a claim."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"outcome": "approved", "notes": "Evidence checked against the school MIS."}
        )
    )

    outcome: AuditOutcome = Field(description="approved or rejected.")
    notes: Notes = Field(description="Internal audit's notes (the reason, when rejecting).")


class FrameworkCreate(Schema):
    """A new version of the outcome framework."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "document": {"schema_version": 1, "versions": [], "council_policy": {}},
                "reason": "DLUHC's 2026-27 descriptors",
            }
        )
    )

    document: dict[str, Any] = Field(
        description="The outcome framework document (schema_version, versions, council_policy)."
    )
    reason: Reason = Field(description="Why the framework changes, for the record.")


class FrameworkVersionRead(ReadSchema):
    """One upload of the outcome framework."""

    version: int = Field(description="Its number, from 1.")
    reason: str = Field(description="Why it changed.")
    created_by: uuid.UUID | None = Field(description="Who uploaded it; null for the shipped one.")
    created_at: datetime = Field(description="When it was uploaded (UTC).")


class FrameworkRead(ReadSchema):
    """The outcome framework in use, and every upload."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "shipped_default": False,
                "current": {"schema_version": 1, "versions": [], "council_policy": {}},
                "versions": [
                    {
                        "version": 1,
                        "reason": "DLUHC's 2026-27 descriptors",
                        "created_by": ex.ADMIN,
                        "created_at": "2026-04-01T09:30:00Z",
                    }
                ],
            }
        )
    )

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


POLICY = {"funding_model": "payment_by_results", "min_needs": 2}


class SfPolicyCreate(Schema):
    """A new version of the council's claim policy."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"effective_from": "2026-04-01", "policy": POLICY, "reason": "Cabinet decision 2026/14"}
        )
    )

    effective_from: CaseDate = Field(
        description="Claims dated on or after this day use it, for periods ending on or after "
        "the day it is recorded: a date in the past does not change the verdicts of periods "
        "that ended before."
    )
    policy: dict[str, Any] = Field(
        description="The council policy block (funding_model, min_needs, programme_years ...)."
    )
    reason: Reason = Field(description="Why the policy changes, for the record.")


class SfPolicyVersionRead(ReadSchema):
    """One version of the council's claim policy."""

    version: int = Field(description="Its number, from 1.")
    effective_from: date = Field(description="Claims dated on or after this day use it.")
    policy: dict[str, Any] = Field(description="The council policy block.")
    reason: str = Field(description="Why it changed.")
    created_by: uuid.UUID | None = Field(description="Who added it.")
    created_at: datetime = Field(description="When it was added (UTC).")
    recorded_on: date = Field(
        description="The council's day it was added: it judges no period that ended before."
    )


class SfPolicyRead(ReadSchema):
    """The council's claim policy in force today, and every version."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "in_force_version": 1,
                "in_force": POLICY,
                "versions": [
                    {
                        "version": 1,
                        "effective_from": "2026-04-01",
                        "policy": POLICY,
                        "reason": "Cabinet decision 2026/14",
                        "created_by": ex.ADMIN,
                        "created_at": "2026-03-20T14:05:00Z",
                        "recorded_on": "2026-03-20",
                    }
                ],
            }
        )
    )

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
                    recorded_on=v.recorded_on,
                )
                for v in history.versions
            ],
        )
