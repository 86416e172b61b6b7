"""Supporting Families claims through the API: a family run through the cycle on a fixed clock,
judged by the claim rules, raised in a batch, audited and submitted (rule book §4, §6)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError

from app.api.schemas.claims import ClaimsReportRead
from app.clock import FixedClock
from app.db.models import ClaimRow
from app.db.repositories.reference import packaged_framework_document
from app.domain.access import Role
from app.domain.families import MemberRole
from app.domain.outcomes_framework import ClaimRoute, signed_off
from app.domain.supporting_families import AssessmentSummary, ClaimCase, PlanSummary, PriorClaim
from app.reports_cli import OutputFormat, ReportName, run_report
from app.services import claims
from tests.api.test_episodes import API, Case, give_consent, ok, on
from tests.builders import (
    ReferenceData,
    Staff,
    Statements,
    acting_as,
    as_user,
    given_practitioner,
    make_family_body,
    make_meeting_body,
    make_member_body,
)

EVIDENCE = {"source": "School MIS", "reference": "ATT-2024-117"}
SUPPORT = {"service": "Debt advice", "provider": "CAB", "started_on": "2024-02-01"}
REPORT = f"{API}/reports/supporting-families/claims"
PERIOD_END = "2024-12-31"


@pytest.fixture
def people(new_uow) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    return {
        "auditor": given_practitioner(new_uow, roles={Role.AUDITOR}, name="Aud Auditor"),
        "reports": given_practitioner(new_uow, roles={Role.REPORTING}, name="Reports"),
        "admin": given_practitioner(new_uow, roles={Role.ADMIN}, name="Ada Admin"),
    }


@pytest.fixture
def verified_framework(client: TestClient, people: dict[str, uuid.UUID]) -> dict[str, Any]:
    """The shipped framework, signed off by an SF lead (every descriptor verified, §2)."""
    document = signed_off(packaged_framework_document())
    with as_user(client, people["admin"]):
        framework: dict[str, Any] = ok(
            client.post(
                f"{API}/admin/supporting-families/framework",
                json={"document": document, "reason": "Signed off by the SF lead"},
            ),
            201,
        )
        return framework


def run_family(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    surname: str,
    headlines: tuple[str, ...] = ("EDU", "HEALTH", "HOUSING"),
    *,
    closed_on: str = "2024-06-28",
    checked_on: str | None = "2024-12-30",
    expecting: bool = False,
) -> Case:
    """Request → assessment (whole family) → plan → QA → TAF → needs achieved → closure on
    `closed_on` → every outcome sustained, checked on `checked_on` (none when None). `expecting`
    adds an unborn child to the household."""
    on(clock, "2024-01-08")
    body = make_family_body(reference.hubs["NORTH"])
    if expecting:
        body["members"].append(
            make_member_body("child", date_of_birth=None, expected_delivery_date="2024-05-01")
        )
    for member in body["members"]:
        member["person"]["family_name"] = surname
    family = ok(client.post(f"{API}/families", json=body), 201)
    child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
    response = client.post(
        f"{API}/episodes",
        json={
            "family_id": family["id"],
            "source": "school",
            "level_of_need": "2",
            "lead_practitioner_id": str(staff.lead),
            "child_person_ids": [child],
        },
    )
    case = Case(client, clock, family, ok(response, 201), response.headers["ETag"])
    give_consent(case, day="2024-01-08")
    on(clock, "2024-01-09")
    assessment = case.post("/assessment-start")["assessment"]
    a_url = f"{case.url}/assessments/{assessment['id']}"
    everyone = [m["person_id"] for m in family["members"]]
    written = client.patch(
        a_url,
        headers={"If-Match": f'"{assessment["version"]}"'},
        json={
            "covered_person_ids": everyone,
            "needs": [
                {"headline": h, "description": f"Need under {h}", "person_ids": [child]}
                for h in headlines
            ],
            "analysis": "Several needs across the family.",
        },
    )
    ok(written)
    completed = ok(
        client.post(f"{a_url}/completion", headers={"If-Match": written.headers["ETag"]})
    )
    need_ids = [n["id"] for n in completed["needs"]]
    plan = ok(
        client.post(
            f"{case.url}/plans",
            json={
                "outcomes": [
                    {
                        "description": "Family life is better",
                        "need_ids": need_ids,
                        "measure": "Scaling",
                        "baseline_score": 3,
                    }
                ],
                "actions": [
                    {
                        "description": "Morning routine chart",
                        "owner_person_id": case.person("parent_carer"),
                        "due_on": "2024-03-31",
                    }
                ],
            },
        ),
        201,
    )
    case.post("/plan-submission")
    on(clock, "2024-01-12")
    with as_user(client, staff.qa_officer):
        case.post("/qa-decisions", {"outcome": "approved"})
    mum = ok(
        client.post(
            f"{case.url}/taf-members",
            json={"kind": "family_member", "person_id": case.person("parent_carer"), "role": "Mum"},
        ),
        201,
    )
    on(clock, "2024-01-19")
    case.post(
        "/meetings",
        make_meeting_body(
            "2024-01-19", [mum["id"]], outcome_id=plan["outcomes"][0]["id"], child_voice="present"
        ),
        status=201,
    )
    descriptors = {"EDU": "EDU.a", "HEALTH": "HEALTH.a", "HOUSING": "HOUSING.a", "FIN": "FIN.a"}
    needs = []
    for need_id, headline in zip(need_ids, headlines, strict=True):
        needs.append(
            ok(
                client.post(
                    f"{case.url}/needs",
                    json={
                        "id": need_id,
                        "descriptor_code": descriptors[headline],
                        "person_ids": [child],
                        "identified_on": "2024-01-09",
                        "evidence": EVIDENCE,
                    },
                ),
                201,
            )
        )
    ok(
        client.post(
            f"{case.url}/support",
            json={
                "service": "Triple P",
                "provider": "Family Hub North",
                "started_on": "2024-01-19",
            },
        ),
        201,
    )
    on(clock, closed_on)
    achieved = [
        ok(
            client.post(
                f"{case.url}/needs/{n['id']}/outcome",
                headers={"If-Match": f'"{n["version"]}"'},
                json={"status": "achieved", "on": closed_on, "evidence": EVIDENCE},
            )
        )
        for n in needs
    ]
    case.post(
        "/closure",
        {
            "reason": "all_needs_met",
            "family_view": {"improved": "yes", "in_their_words": "Calmer at home"},
        },
    )
    if checked_on is not None:
        on(clock, checked_on)
        for n in achieved:
            ok(
                client.post(
                    f"{case.url}/needs/{n['id']}/sustainment-check",
                    headers={"If-Match": f'"{n["version"]}"'},
                    json={"result": "sustained", "evidence": EVIDENCE},
                )
            )
    on(clock, "2025-01-06")
    return case


def audit(
    client: TestClient, auditor: uuid.UUID, claim_id: str, outcome: str, notes: str
) -> dict[str, Any]:
    """Internal audit's decision on a claim just sent to it (version 1)."""
    with as_user(client, auditor):
        decision: dict[str, Any] = ok(
            client.post(
                f"{API}/claims/{claim_id}/audit",
                headers={"If-Match": '"1"'},
                json={"outcome": outcome, "notes": notes},
            )
        )
        return decision


def report(client: TestClient, reports: uuid.UUID) -> dict[str, Any]:
    with as_user(client, reports):
        body: dict[str, Any] = ok(client.get(REPORT, params={"period_end": PERIOD_END}))
        return body


def batch(client: TestClient, reports: uuid.UUID, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    with as_user(client, reports):
        return client.post(REPORT, json={"period_end": PERIOD_END}, headers=headers)


def row_of(data: dict[str, Any], case: Case) -> dict[str, Any]:
    return next(r for r in data["families"] if r["family_id"] == case.family["id"])


@pytest.fixture
def claimable(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    verified_framework: dict[str, Any],
) -> Case:
    return run_family(client, clock, reference, staff, "Moss")


class TestEvaluation:
    def test_three_needs_under_three_headlines_achieved_closed_and_sustained_is_claimable(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        row = row_of(report(client, people["reports"]), claimable)
        assert (row["status"], row["failing_rules"], row["claim"]) == ("claimable", [], None)
        assert row["headlines"] == ["EDU", "HEALTH", "HOUSING"]

    @pytest.mark.usefixtures("verified_framework")
    def test_two_headlines_are_not_claimable_with_the_c1_reason(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        people: dict[str, uuid.UUID],
    ) -> None:
        case = run_family(client, clock, reference, staff, "Nash", headlines=("EDU", "HEALTH"))
        row = row_of(report(client, people["reports"]), case)
        assert row["status"] == "not_claimable"
        assert [r["rule_id"] for r in row["failing_rules"]] == ["C1"]
        assert "at least 3 different headlines" in row["failing_rules"][0]["reason"]
        with as_user(client, people["reports"]):
            refused = client.post(
                f"{API}/claims", json={"episode_id": case.episode["id"], "period_end": PERIOD_END}
            )
        assert refused.status_code == 409
        assert "[C1]" in refused.json()["detail"]
        assert refused.json()["errors"] == [
            {
                "field": "episode_id",
                "rule": "C1",
                "type": "illegal_transition",
                "message": row["failing_rules"][0]["reason"],
            }
        ]

    def test_unverified_descriptors_block_the_claim(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        people: dict[str, uuid.UUID],
    ) -> None:
        case = run_family(client, clock, reference, staff, "Owen")
        row = row_of(report(client, people["reports"]), case)
        assert [r["rule_id"] for r in row["failing_rules"]] == ["VERIFIED"]


class TestTheClaimsLife:
    def test_batch_raises_audit_approves_the_pack_never_changes_and_the_batch_submits(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID], staff: Staff
    ) -> None:
        first = ok(batch(client, people["reports"]), 201)
        assert len(first["raised_claim_ids"]) == 1
        claim_id = first["raised_claim_ids"][0]
        assert row_of(first, claimable)["status"] == "claimed"

        with as_user(client, people["auditor"]):
            response = client.get(f"{API}/claims/{claim_id}")
            claim = ok(response)
            assert claim["state"] == "internal_audit"
            assert claim["unit_value_pence"] == 80000
            assert claim["programme_year"] == "2024-25"
            pack_hash = claim["content_hash"]
            assert len(pack_hash) == 64
            assert claim["evidence_pack"]["household"]["dependent_child_ids"] == [
                claimable.person("child")
            ]
            approved = ok(
                client.post(
                    f"{API}/claims/{claim_id}/audit",
                    headers={"If-Match": response.headers["ETag"]},
                    json={"outcome": "approved", "notes": "Evidence checked against the MIS"},
                )
            )
        assert approved["state"] == "approved"
        approved_hash = approved["content_hash"]
        assert approved["evidence_pack"]["internal_audit"]["outcome"] == "approved"

        again = ok(batch(client, people["reports"]), 201)
        assert again["raised_claim_ids"] == []
        assert again["submitted_claim_ids"] == [claim_id]
        third = ok(batch(client, people["reports"]), 201)
        assert (third["raised_claim_ids"], third["submitted_claim_ids"]) == ([], [])

        with as_user(client, staff.manager):
            final = ok(client.get(f"{API}/claims/{claim_id}"))
        assert final["state"] == "submitted"
        assert final["content_hash"] == approved_hash
        assert final["evidence_pack_canonical_json"] == approved["evidence_pack_canonical_json"]
        assert [h["to_state"] for h in final["history"]] == [
            "draft",
            "ready",
            "internal_audit",
            "approved",
            "submitted",
        ]

    @pytest.mark.usefixtures("claimable")
    def test_nothing_is_submitted_without_approval(
        self, client: TestClient, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        with as_user(client, people["reports"]):
            refused = client.post(
                f"{API}/claims/{claim_id}/submission", headers={"If-Match": '"1"'}
            )
            assert refused.status_code == 409
            assert "[C7]" in refused.json()["detail"]
            assert ok(client.get(f"{API}/claims/{claim_id}"))["state"] == "internal_audit"

    def test_only_an_auditor_decides_and_a_rejection_frees_the_family(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        with as_user(client, people["reports"]):
            own = client.post(
                f"{API}/claims/{claim_id}/audit",
                headers={"If-Match": '"1"'},
                json={"outcome": "approved", "notes": "Looks fine"},
            )
        assert own.status_code == 403
        rejected = audit(
            client, people["auditor"], claim_id, "rejected", "Housing evidence missing"
        )
        assert rejected["state"] == "rejected"
        rerun = ok(batch(client, people["reports"]), 201)
        assert rerun["raised_claim_ids"] == []  # the batch does not re-raise what audit rejected
        with as_user(client, people["reports"]):
            again = ok(
                client.post(
                    f"{API}/claims",
                    json={"episode_id": claimable.episode["id"], "period_end": PERIOD_END},
                ),
                201,
            )
        assert again["state"] == "internal_audit"


class TestOneClaimPerFamilyAndPhase:
    def test_a_second_claim_is_refused_by_the_api(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        body = {"episode_id": claimable.episode["id"], "period_end": PERIOD_END}
        with as_user(client, people["reports"]):
            first = ok(client.post(f"{API}/claims", json=body), 201)
            second = client.post(f"{API}/claims", json=body)
        assert second.status_code == 409
        assert first["id"] in second.json()["detail"]

    def test_a_refused_second_claim_is_audited_as_refused_with_its_problem_and_stores_nothing(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID], new_uow: Any
    ) -> None:
        body = {"episode_id": claimable.episode["id"], "period_end": PERIOD_END}
        with as_user(client, people["reports"]):
            first = client.post(f"{API}/claims", json=body)
            second = client.post(f"{API}/claims", json=body)
        assert (first.status_code, second.status_code) == (201, 409)
        with new_uow() as uow:
            entries = list(uow.audit.entries())
            claims_of_family = uow.claims.for_family(uuid.UUID(claimable.family["id"]))

        def audited(response: Any) -> list[tuple[str, str | None, str, str | None]]:
            request_id = response.headers["X-Request-ID"]
            return [
                (e.action, e.resource_id, e.outcome, e.problem_code)
                for e in entries
                if e.request_id == request_id
            ]

        # The first names the claim it raised; the second, refused after the access rules let it
        # through, keeps the episode it named and why it was refused.
        assert audited(first) == [("prepare_claims", first.json()["id"], "allowed", None)]
        assert audited(second) == [
            ("prepare_claims", claimable.episode["id"], "refused", "claim_already_live_for_phase")
        ]
        assert [s.claim.id for s in claims_of_family] == [uuid.UUID(first.json()["id"])]

    @pytest.mark.usefixtures("claimable")
    def test_an_auditor_deciding_on_a_claim_not_sent_to_audit_is_refused_and_audited(
        self, client: TestClient, people: dict[str, uuid.UUID], new_uow: Any
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")
        with as_user(client, people["auditor"]):
            again = client.post(
                f"{API}/claims/{claim_id}/audit",
                headers={"If-Match": '"2"'},
                json={"outcome": "rejected", "notes": "Changed my mind"},
            )
        assert again.status_code == 409, again.text
        assert "internal audit decides only on a claim sent to it" in again.json()["detail"]
        with new_uow() as uow:
            (entry,) = [
                e for e in uow.audit.entries() if e.request_id == again.headers["X-Request-ID"]
            ]
            stored = uow.claims.get(uuid.UUID(claim_id))
        assert (entry.action, entry.resource_id, entry.outcome, entry.problem_code) == (
            "audit_claims",
            claim_id,
            "refused",
            "claim_step_out_of_turn",
        )
        assert stored is not None
        assert stored.claim.state.value == "approved"

    def test_the_database_refuses_a_second_live_claim(
        self,
        client: TestClient,
        claimable: Case,
        people: dict[str, uuid.UUID],
        connection: Connection,
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        at = datetime(2025, 1, 6, tzinfo=UTC)
        row = {
            "family_id": uuid.UUID(claimable.family["id"]),
            "episode_id": uuid.UUID(claimable.episode["id"]),
            "programme_phase": "2022-25",
            "programme_year": "2024-25",
            "unit_value_pence": 80000,
            "framework_version": "2022-10",
            "route": "significant_and_sustained_progress",
            "period_end": date(2024, 12, 31),
            "created_on": date(2024, 12, 31),
            "created_by": people["reports"],
            "assurance_sampled": False,
            "history": [],
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        savepoint = connection.begin_nested()
        connection.execute(insert(ClaimRow).values(id=uuid.uuid4(), state="rejected", **row))
        savepoint.commit()  # a rejected claim does not hold the family
        savepoint = connection.begin_nested()
        with pytest.raises(IntegrityError):
            connection.execute(insert(ClaimRow).values(id=uuid.uuid4(), state="draft", **row))
        savepoint.rollback()
        assert claim_id


def test_the_batch_is_idempotent_with_its_key(
    client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
) -> None:
    first = batch(client, people["reports"], key="batch-2024-12")
    assert first.status_code == 201
    replay = batch(client, people["reports"], key="batch-2024-12")
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(first.json()["raised_claim_ids"]) == 1


def test_the_report_takes_any_day_and_names_the_claim_period_it_falls_in(
    client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
) -> None:
    with as_user(client, people["reports"]):
        mid_month = ok(client.get(REPORT, params={"period_end": "2024-12-09"}))
        csv = client.get(
            REPORT, params={"period_end": "2024-12-09"}, headers={"Accept": "text/csv"}
        )
    assert (mid_month["period_start"], mid_month["period_end"], mid_month["cadence"]) == (
        "2024-12-01",
        "2024-12-31",
        "monthly",
    )
    assert mid_month == report(client, people["reports"])
    assert row_of(mid_month, claimable)["status"] == "claimable"
    assert csv.text.splitlines()[1].startswith("2024-12-31,")


def test_a_day_of_a_period_not_yet_ended_names_the_field_and_the_period(
    client: TestClient, people: dict[str, uuid.UUID]
) -> None:
    with as_user(client, people["reports"]):  # the clock stands at 2025-03-03
        this_month = client.get(REPORT, params={"period_end": "2025-03-01"})
        future = client.get(REPORT, params={"period_end": "2025-04-30"})
    for response in (this_month, future):
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "period_end"
    assert "claim period 2025-03-01 to 2025-03-31" in this_month.json()["detail"]


class TestTheEdgeOfTheSustainedPeriod:
    @pytest.mark.usefixtures("verified_framework")
    def test_a_closure_exactly_six_months_before_the_period_end_is_claimable_a_day_later_is_not(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        people: dict[str, uuid.UUID],
    ) -> None:
        exactly = run_family(
            client,
            clock,
            reference,
            staff,
            "Exact",
            closed_on="2024-05-30",
            checked_on="2024-11-30",
        )
        short = run_family(client, clock, reference, staff, "Short", closed_on="2024-06-01")
        with as_user(client, people["reports"]):
            data = ok(client.get(REPORT, params={"period_end": "2024-11-30"}))
        assert row_of(data, exactly)["status"] == "claimable"
        assert row_of(data, exactly)["failing_rules"] == []
        late = row_of(data, short)
        assert late["status"] == "not_claimable"
        c5 = next(r for r in late["failing_rules"] if r["rule_id"] == "C5")
        assert "2024-12-01" in c5["reason"]


class TestTheRecordBehindAClaim:
    """A claim's evidence pack never disagrees with the record: with internal audit or approved,
    the needs, outcomes and support it was judged on cannot change (§4.5)."""

    def test_support_cannot_be_added_while_the_claim_is_with_internal_audit(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        ok(batch(client, people["reports"]), 201)
        refused = client.post(f"{claimable.url}/support", json=SUPPORT)
        assert refused.status_code == 409
        assert "internal audit" in refused.json()["detail"]
        assert len(ok(client.get(f"{claimable.url}/support"))) == 1

    def test_support_cannot_be_added_after_approval(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")
        refused = client.post(f"{claimable.url}/support", json=SUPPORT)
        assert refused.status_code == 409
        assert "approved" in refused.json()["detail"]
        assert len(ok(client.get(f"{claimable.url}/support"))) == 1

    def test_a_rejected_claim_leaves_the_record_open_to_correction(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "rejected", "Support not evidenced")
        ok(client.post(f"{claimable.url}/support", json=SUPPORT), 201)


class TestTheQuarterlyReturn:
    QUARTERLY = f"{API}/reports/quarterly-progress"

    def lines(
        self,
        client: TestClient,
        reports: uuid.UUID,
        quarter_end: str,
        hub_id: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        params = {"quarter_end": quarter_end, **({"hub_id": str(hub_id)} if hub_id else {})}
        with as_user(client, reports):
            claims_lines: dict[str, Any] = ok(client.get(self.QUARTERLY, params=params))["claims"]
            return claims_lines

    @pytest.mark.usefixtures("claimable")
    def test_claimable_families_claims_by_state_and_value_counted_by_hand(
        self, client: TestClient, people: dict[str, uuid.UUID]
    ) -> None:
        # Closed 2024-06-28, sustained when checked on 2024-12-30: claimable from 2024-12-30.
        q3 = self.lines(client, people["reports"], "2024-09-30")
        assert (q3["families_newly_claimable"], q3["families_claimable_unclaimed"]) == (0, 0)
        q4 = self.lines(client, people["reports"], "2024-12-31")
        assert (q4["families_newly_claimable"], q4["families_claimable_unclaimed"]) == (1, 1)
        assert set(q4["claims_by_state"].values()) == {0}

        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")
        ok(batch(client, people["reports"]), 201)  # submits the approved claim on 2025-01-06

        q4 = self.lines(client, people["reports"], "2024-12-31")
        # Raised, made ready and sent to internal audit as of the batch's period end.
        assert q4["families_claimable_unclaimed"] == 0
        assert q4["claims_by_state"] == {
            "draft": 1,
            "ready": 1,
            "internal_audit": 1,
            "approved": 0,
            "rejected": 0,
            "submitted": 0,
            "paid": 0,
            "clawed_back": 0,
        }
        assert q4["value_submitted_pence"] == 0
        q1 = self.lines(client, people["reports"], "2025-03-31")
        assert q1["families_newly_claimable"] == 0  # claimable already before the quarter
        assert (q1["claims_by_state"]["approved"], q1["claims_by_state"]["submitted"]) == (1, 1)
        assert q1["value_submitted_pence"] == 80000
        with as_user(client, people["reports"]):
            text = client.get(
                self.QUARTERLY,
                params={"quarter_end": "2025-03-31"},
                headers={"Accept": "text/csv"},
            ).text
        assert "all,claims,value_submitted_pence,,80000" in text
        assert "all,claims,claims_by_state,submitted,1" in text

    @pytest.mark.usefixtures("claimable")
    def test_a_quarters_claims_lines_are_reproduced_as_they_were_sent_with_known_at(
        self, client: TestClient, clock: FixedClock, people: dict[str, uuid.UUID]
    ) -> None:
        """Issue 18 §2: the return for Q4 sent on 6 January, and Q1's as read on 7 January,
        read the same after the batch raises the claim and audit approves it."""
        q4 = {"quarter_end": "2024-12-31", "known_at": "2025-01-06T10:00:00Z"}
        q1 = {"quarter_end": "2025-03-31", "known_at": "2025-01-07T10:00:00Z"}
        with as_user(client, people["reports"]):
            q4_sent = ok(client.get(self.QUARTERLY, params=q4))
        on(clock, "2025-01-07")
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        with as_user(client, people["reports"]):
            q1_read = ok(client.get(self.QUARTERLY, params=q1))
        on(clock, "2025-01-08")
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")

        with as_user(client, people["reports"]):
            assert ok(client.get(self.QUARTERLY, params=q4)) == q4_sent
            assert ok(client.get(self.QUARTERLY, params=q1)) == q1_read
        assert q4_sent["claims"]["families_claimable_unclaimed"] == 1
        assert q1_read["claims"]["claims_by_state"]["approved"] == 0
        today = self.lines(client, people["reports"], "2024-12-31")
        assert today["families_claimable_unclaimed"] == 0
        assert (
            self.lines(client, people["reports"], "2025-03-31")["claims_by_state"]["approved"] == 1
        )

    @pytest.mark.usefixtures("claimable")
    def test_a_hub_sees_only_its_own_families(
        self,
        client: TestClient,
        people: dict[str, uuid.UUID],
        reference: ReferenceData,
    ) -> None:
        south = self.lines(client, people["reports"], "2024-12-31", reference.hubs["SOUTH"])
        north = self.lines(client, people["reports"], "2024-12-31", reference.hubs["NORTH"])
        assert south["families_newly_claimable"] == 0
        assert north["families_newly_claimable"] == 1


def test_the_cli_writes_the_claims_report_the_api_serves(
    client: TestClient,
    claimable: Case,
    people: dict[str, uuid.UUID],
    new_uow: Any,
    clock: FixedClock,
    tmp_path: Any,
) -> None:
    ok(batch(client, people["reports"]), 201)
    target = tmp_path / "claims.csv"
    run_report(
        new_uow,
        clock,
        acting_as(new_uow, people["reports"]),
        name=ReportName.SUPPORTING_FAMILIES_CLAIMS,
        start=None,
        end=date(2024, 12, 31),
        output_format=OutputFormat.CSV,
        output=target,
    )
    with as_user(client, people["reports"]):
        served = client.get(
            REPORT, params={"period_end": PERIOD_END}, headers={"Accept": "text/csv"}
        )
    written = target.read_bytes().decode("utf-8")
    assert written == served.text
    assert claimable.family["reference"] in written


@pytest.mark.usefixtures("verified_framework")
def test_the_claims_reports_cost_the_same_number_of_statements_for_three_families_as_for_one(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    people: dict[str, uuid.UUID],
    statements: Statements,
) -> None:
    def report() -> Any:
        return client.get(REPORT, params={"period_end": PERIOD_END})

    def quarter() -> Any:
        return client.get(f"{API}/reports/quarterly-progress", params={"quarter_end": "2024-12-31"})

    def cost(families: int) -> tuple[int, int]:
        with as_user(client, people["reports"]):
            assert len(ok(report())["families"]) == families
            assert ok(quarter())["claims"]["families_newly_claimable"] == families
            return statements.during(report), statements.during(quarter)

    run_family(client, clock, reference, staff, "One")
    with_one = cost(1)
    run_family(client, clock, reference, staff, "Two")
    run_family(client, clock, reference, staff, "Three")
    assert cost(3) == with_one


@pytest.mark.usefixtures("verified_framework")
def test_the_report_is_streamed_as_the_same_json_a_batch_of_rows_at_a_time(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    people: dict[str, uuid.UUID],
    new_uow: Any,
) -> None:
    for name in ("One", "Two", "Three"):
        run_family(client, clock, reference, staff, name)
    ok(batch(client, people["reports"]), 201)
    reporting = acting_as(new_uow, people["reports"])
    whole = claims.claims_report(new_uow(), clock, reporting, date(2024, 12, 31))
    assert len(whole.rows) == 3
    expected = ClaimsReportRead.of(whole).model_dump(mode="json")

    in_batches_of_two = b"".join(ClaimsReportRead.json_chunks(whole, rows_per_chunk=2))

    assert json.loads(in_batches_of_two) == expected
    assert report(client, people["reports"]) == expected


class TestPrivacy:
    def test_the_reporting_token_cannot_read_case_endpoints(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        with as_user(client, people["reports"]):
            assert client.get(claimable.url).status_code == 404
            assert client.get(f"{API}/families/{claimable.family['id']}").status_code == 404
            assert client.get(f"{claimable.url}/needs").status_code == 404

    def test_the_report_has_no_names(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        ok(batch(client, people["reports"]), 201)
        text = json.dumps(report(client, people["reports"]))
        for member in claimable.family["members"]:
            assert member["person"]["given_name"] not in text
            assert member["person"]["family_name"] not in text
        assert "Moss" not in text
        assert claimable.family["reference"] in text
        with as_user(client, people["reports"]):
            csv = client.get(
                REPORT, params={"period_end": PERIOD_END}, headers={"Accept": "text/csv"}
            )
        assert csv.status_code == 200
        assert csv.text.startswith("period_end,family_reference")
        assert "Moss" not in csv.text


class TestReferenceData:
    def test_an_admin_edits_the_policy_with_history_and_errors_name_the_field(
        self, client: TestClient, people: dict[str, uuid.UUID], staff: Staff
    ) -> None:
        with as_user(client, people["admin"]):
            default = ok(client.get(f"{API}/admin/supporting-families/policy"))
            assert (default["in_force_version"], default["in_force"]["min_distinct_headlines"]) == (
                None,
                3,
            )
            policy = copy.deepcopy(default["in_force"])
            policy["min_distinct_headlines"] = 1
            made = ok(
                client.post(
                    f"{API}/admin/supporting-families/policy",
                    json={
                        "effective_from": "2024-01-01",
                        "policy": policy,
                        "reason": "K3: the literal reading",
                    },
                ),
                201,
            )
            assert made["in_force_version"] == 1
            assert made["in_force"]["min_distinct_headlines"] == 1
            bad = client.post(
                f"{API}/admin/supporting-families/policy",
                json={
                    "effective_from": "2024-01-01",
                    "policy": {**policy, "min_needs": "three"},
                    "reason": "Typo",
                },
            )
            assert bad.status_code == 422
            assert bad.json()["errors"][0]["field"] == "policy.min_needs"
            framework = ok(client.get(f"{API}/admin/supporting-families/framework"))
            assert framework["shipped_default"] is True
            document = copy.deepcopy(framework["current"])
            document["versions"][1]["headlines"][0]["code"] = "edu"
            broken = client.post(
                f"{API}/admin/supporting-families/framework",
                json={"document": document, "reason": "Oops"},
            )
            assert broken.status_code == 422
            assert broken.json()["errors"][0]["field"] == "document.versions[1].headlines[0].code"
        with as_user(client, staff.manager):
            assert client.get(f"{API}/admin/supporting-families/policy").status_code == 403


def policy_version(
    client: TestClient, admin: uuid.UUID, effective_from: str, **changes: Any
) -> dict[str, Any]:
    """An admin adds a version of the council's claim policy: the one in force, with `changes`."""
    with as_user(client, admin):
        policy = ok(client.get(f"{API}/admin/supporting-families/policy"))["in_force"]
        added: dict[str, Any] = ok(
            client.post(
                f"{API}/admin/supporting-families/policy",
                json={
                    "effective_from": effective_from,
                    "policy": {**policy, **changes},
                    "reason": "Cabinet decision",
                },
            ),
            201,
        )
        return added


def raise_one(
    client: TestClient, reports: uuid.UUID, case: Case, period_end: str, **extra: Any
) -> Any:
    with as_user(client, reports):
        return client.post(
            f"{API}/claims",
            json={"episode_id": case.episode["id"], "period_end": period_end, **extra},
        )


class TestFiguresThatDoNotShift:
    """Issue 18 §5: a period's figures do not move when later claims or policies are recorded."""

    def test_a_claim_raised_in_a_later_period_leaves_the_earlier_periods_row_as_it_was(
        self, client: TestClient, clock: FixedClock, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        before = row_of(report(client, people["reports"]), claimable)
        assert before["status"] == "claimable"
        on(clock, "2025-02-03")
        ok(raise_one(client, people["reports"], claimable, "2025-01-31"), 201)

        assert row_of(report(client, people["reports"]), claimable) == before

    def test_an_episode_claimed_nationally_is_not_claimed_again_in_a_local_scheme_year(
        self, client: TestClient, clock: FixedClock, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")
        ok(batch(client, people["reports"]), 201)  # submitted: the family's 2022-25 claim
        policy_version(client, people["admin"], "2025-04-01", claims_after_programme=True)
        on(clock, "2025-05-06")

        again = raise_one(client, people["reports"], claimable, "2025-04-30")

        assert again.status_code == 409, again.text
        (c6,) = again.json()["errors"]
        assert (c6["rule"], c6["field"]) == ("C6", "episode_id")
        assert "one claim is made per family and need set (K10)" in c6["message"]
        assert claim_id in c6["message"]

    def test_a_local_scheme_that_pays_again_for_the_same_outcomes_says_so_in_its_policy(
        self, client: TestClient, clock: FixedClock, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        claim_id = ok(batch(client, people["reports"]), 201)["raised_claim_ids"][0]
        audit(client, people["auditor"], claim_id, "approved", "Evidence checked")
        policy_version(
            client,
            people["admin"],
            "2025-04-01",
            claims_after_programme=True,
            local_scheme_reclaims_episodes=True,
        )
        on(clock, "2025-05-06")

        local = ok(raise_one(client, people["reports"], claimable, "2025-04-30"), 201)

        assert (local["programme_year"], local["unit_value_pence"]) == ("2025-26", None)

    def test_a_policy_version_dated_back_does_not_change_a_past_periods_verdict(
        self, client: TestClient, clock: FixedClock, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        before = row_of(report(client, people["reports"]), claimable)
        added = policy_version(
            client, people["admin"], "2024-01-01", min_needs=4, min_distinct_headlines=4
        )
        assert added["versions"][-1]["recorded_on"] == "2025-01-06"

        assert row_of(report(client, people["reports"]), claimable) == before
        on(clock, "2025-02-03")  # a period ending after it was recorded is judged by it
        with as_user(client, people["reports"]):
            january = ok(client.get(REPORT, params={"period_end": "2025-01-31"}))
        assert [r["rule_id"] for r in row_of(january, claimable)["failing_rules"]] == ["C1"]

    @pytest.mark.usefixtures("verified_framework")
    def test_a_periods_report_is_reproduced_as_it_was_read_with_known_at(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        people: dict[str, uuid.UUID],
    ) -> None:
        """Issue 18 §2: sustainment checks dated 30 December but entered on 8 January make the
        family claimable for December; the report as read on 6 January still says it was not,
        and today's says three records came in after the period."""
        case = run_family(client, clock, reference, staff, "Hale", checked_on=None)
        read_at = "2025-01-06T10:00:00Z"
        with as_user(client, people["reports"]):
            as_read = ok(client.get(REPORT, params={"period_end": PERIOD_END, "known_at": read_at}))
        on(clock, "2025-01-08")
        for need in ok(client.get(f"{case.url}/needs")):
            ok(
                client.post(
                    f"{case.url}/needs/{need['id']}/sustainment-check",
                    headers={"If-Match": f'"{need["version"]}"'},
                    json={"result": "sustained", "checked_on": "2024-12-30", "evidence": EVIDENCE},
                )
            )
        with as_user(client, people["reports"]):
            again = ok(client.get(REPORT, params={"period_end": PERIOD_END, "known_at": read_at}))
            today = ok(client.get(REPORT, params={"period_end": PERIOD_END}))
        assert again == as_read
        assert (row_of(as_read, case)["status"], as_read["entered_after_period"]) == (
            "not_claimable",
            0,
        )
        assert as_read["known_at"] == read_at
        assert (row_of(today, case)["status"], today["entered_after_period"]) == ("claimable", 3)

    def test_the_continuous_employment_route_is_chosen_on_the_claim_and_judged_by_c9(
        self, client: TestClient, claimable: Case, people: dict[str, uuid.UUID]
    ) -> None:
        employment = raise_one(
            client, people["reports"], claimable, PERIOD_END, route="continuous_employment"
        )

        assert employment.status_code == 409, employment.text
        assert [(e["rule"], e["field"]) for e in employment.json()["errors"]] == [
            ("C9", "episode_id")
        ]
        assert (
            "not a claim route under framework 2022-10" in employment.json()["errors"][0]["message"]
        )
        progress = raise_one(
            client,
            people["reports"],
            claimable,
            PERIOD_END,
            route="significant_and_sustained_progress",
        )
        assert ok(progress, 201)["route"] == "significant_and_sustained_progress"


def cases_from_aggregates(
    uow: Any, episode_ids: list[uuid.UUID], *, as_of: date, claims_on: date | None
) -> list[ClaimCase]:
    """The claim cases as `build_cases` made them before it read columns: from the episode,
    family, people, assessment, plan, need and support aggregates. The oracle the column reads
    are checked against."""
    catalogue = uow.reference_data.framework()
    episodes = [e for i in episode_ids if (e := uow.episodes.get(i)) is not None]
    families = uow.families.get_many([e.family_id for e in episodes])
    households = {
        e.id: families[e.family_id].current_memberships(e.closed_on or as_of) for e in episodes
    }
    people = uow.people.get_many([m.person_id for ms in households.values() for m in ms])

    def of(items: list[Any], key: str) -> dict[uuid.UUID, list[Any]]:
        grouped: dict[uuid.UUID, list[Any]] = {}
        for item in items:
            grouped.setdefault(getattr(item, key), []).append(item)
        return grouped

    assessments = of(uow.assessments.for_episodes(episode_ids), "episode_id")
    plans = of(uow.plans.for_episodes(episode_ids), "episode_id")
    support = of(uow.needs.support_for(episode_ids), "episode_id")
    needs = of(uow.needs.for_episodes(episode_ids), "episode_id")
    claimed = uow.claims.for_families([e.family_id for e in episodes])
    cases = []
    for episode in episodes:
        on_day = episode.closed_on or as_of
        members, children, carers, unborn = [], [], [], False
        for membership in households[episode.id]:
            person = people[membership.person_id]
            if person.is_unborn:
                unborn = True
                continue
            members.append(person.id)
            if membership.role is MemberRole.CHILD and person.is_child_on(on_day):
                children.append(person.id)
            if membership.role is MemberRole.PARENT_CARER:
                carers.append(person.id)
        in_force = catalogue.in_force_on(episode.requested_on)
        cases.append(
            ClaimCase(
                family_id=episode.family_id,
                episode_id=episode.id,
                framework_version=in_force.code if in_force else "none",
                route=ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
                member_ids=tuple(members),
                dependent_child_ids=tuple(children),
                expectant_parent_ids=tuple(carers) if unborn else (),
                episode_started_on=episode.requested_on,
                closed_on=episode.closed_on,
                closure_reason=episode.closure_reason,
                lead_history=tuple(episode.lead_history),
                assessments=tuple(
                    AssessmentSummary(a.id, a.completed_on, a.covered_person_ids)
                    for a in assessments.get(episode.id, [])
                ),
                plans=tuple(
                    PlanSummary(
                        plan_id=p.id,
                        version=p.number,
                        agreed_on=p.agreed_on,
                        need_ids=tuple(dict.fromkeys(n for o in p.outcomes for n in o.need_ids)),
                    )
                    for p in plans.get(episode.id, [])
                ),
                support=tuple(s.support for s in support.get(episode.id, [])),
                needs=tuple(s.record for s in needs.get(episode.id, [])),
                previous_claims=tuple(
                    PriorClaim(
                        s.claim.id, s.claim.programme_phase, s.claim.state, s.claim.episode_id
                    )
                    for s in claimed
                    if s.claim.family_id == episode.family_id
                    and (claims_on is None or s.claim.created_on <= claims_on)
                ),
            )
        )
    return cases


@pytest.mark.usefixtures("verified_framework")
def test_the_cases_read_as_columns_are_the_cases_read_from_the_aggregates(
    client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    people: dict[str, uuid.UUID],
    new_uow: Any,
) -> None:
    """Issue 16 §3: the reports read each case's columns instead of its aggregates; every
    figure stays the same because every case does, on a mixed set of families."""
    families = [
        run_family(client, clock, reference, staff, "Moss"),
        run_family(client, clock, reference, staff, "Nash", headlines=("EDU", "HEALTH")),
        run_family(client, clock, reference, staff, "Owen", checked_on=None, expecting=True),
        run_family(
            client, clock, reference, staff, "Pike", closed_on="2024-07-01", checked_on="2025-01-02"
        ),
        run_family(client, clock, reference, staff, "Quinn", headlines=("EDU", "HEALTH", "FIN")),
    ]
    ok(batch(client, people["reports"]), 201)
    on(clock, "2025-02-03")
    ids = [uuid.UUID(f.episode["id"]) for f in reversed(families)] + [uuid.uuid4()]
    for as_of, claims_on in [
        (date(2024, 12, 31), date(2024, 12, 31)),
        (date(2024, 11, 30), date(2024, 11, 30)),
        (date(2025, 1, 31), None),
    ]:
        with new_uow() as uow:
            catalogue = uow.reference_data.framework()
            built = claims.build_cases(uow, ids, catalogue, as_of=as_of, claims_on=claims_on)
            expected = cases_from_aggregates(uow, ids, as_of=as_of, claims_on=claims_on)
        assert [case for _, case in built] == expected
        assert len(expected) == len(families)
    assert any(case.expectant_parent_ids for case in expected)
    assert any(case.previous_claims for case in expected)
