"""Family Help through the API on both databases: a council switched over by its settings, an
episode stepping across to s17 and s47 without closing, allocations from any agency, the census
dates and the CIN census extract (issue 20 §1-§2)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import get_clock
from app.clock import FixedClock
from app.domain.access import Role
from app.domain.family_help import EpisodeType
from app.domain.practitioners import Practitioner
from app.main import create_app
from app.services.ports import UnitOfWork
from app.settings import Settings
from tests.api.test_caseload import new_case
from tests.api.test_episodes import API, Case, ok
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    bearer,
    given_practitioner,
    make_episode_body,
    make_family_body,
    make_member_body,
)


@pytest.fixture
def fh_client(
    engine: Engine,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
) -> Iterator[TestClient]:
    """The API of a council on Family Help: FAMILYHUB_FAMILY_HELP=on and its threshold document."""
    settings = Settings(
        env="test",
        database_url=str(engine.url),
        family_help=True,
        threshold_document_version="2026-04",
        episode_type_names={EpisodeType.FAMILY_HELP: "Family Support"},
    )
    app = create_app(settings, engine=engine)
    app.state.session_factory = session_factory
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = bearer(staff.lead)
        yield test_client


def social_worker(new_uow: Callable[[], UnitOfWork], name: str, *roles: Role) -> uuid.UUID:
    """A registered social worker in the directory (a practice supervisor, a CP lead)."""
    practitioner = Practitioner(
        id=uuid.uuid4(),
        name=name,
        email=f"{uuid.uuid4().hex[:12]}@council.example",
        agency_code="COUNCIL_EH",
        roles=frozenset(roles or {Role.PRACTITIONER}),
        registered_social_worker=True,
        social_work_registration_number="SW12345",
        profession="Social worker",
    )
    with new_uow() as uow:
        uow.practitioners.add(practitioner, at=datetime(2025, 1, 1, tzinfo=UTC))
        uow.commit()
    return practitioner.id


def family_help(case: Case) -> tuple[dict[str, Any], str]:
    response = case.client.get(f"{case.url}/family-help")
    return ok(response), response.headers["ETag"]


def post(case: Case, path: str, body: dict[str, Any], status: int = 200) -> Any:
    _, etag = family_help(case)
    return ok(case.client.post(f"{case.url}{path}", json=body, headers={"If-Match": etag}), status)


def to_s17(case: Case, supervisor: uuid.UUID) -> dict[str, Any]:
    body = {
        "to_type": "family_help",
        "to_basis": "s17",
        "decided_by": str(supervisor),
        "reason": "Neglect concerns meet the child in need threshold",
        "oversight_practitioner_id": str(supervisor),
    }
    data: dict[str, Any] = post(case, "/step-across", body)
    return data


class TestSwitchedOver:
    def test_an_episode_opens_as_family_help_with_the_council_s_own_name_for_it(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        data, etag = family_help(case)
        assert (data["episode_type"], data["episode_type_name"]) == (
            "family_help",
            "Family Support",
        )
        assert data["statutory_basis"] == "none"
        assert etag == '"1"'
        [lead] = data["allocations"]
        assert (lead["practitioner_id"], lead["role"]) == (
            str(staff.lead),
            "family_help_lead_practitioner",
        )

    def test_step_across_to_s17_then_s47_keeps_the_episode_and_the_lead_co_works(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = social_worker(new_uow, "Sue Supervisor")
        cp_lead = social_worker(new_uow, "Chris Protection")
        data = to_s17(case, supervisor)
        assert data["statutory_basis"] == "s17"
        assert data["census"]["referral_on"] == clock.today().isoformat()
        assert data["transitions"][0]["threshold_document_version"] == "2026-04"
        assert data["transitions"][0]["decided_by_name"] == "Sue Supervisor"
        with as_user(fh_client, staff.manager):
            data = post(
                case,
                "/step-across",
                {
                    "to_type": "family_help",
                    "to_basis": "s47",
                    "decided_by": str(supervisor),
                    "reason": "Strategy discussion: s47 enquiry",
                    "lead_child_protection_practitioner_id": str(cp_lead),
                },
            )
        current = {
            (a["practitioner_id"], a["role"]) for a in data["allocations"] if not a["ended_on"]
        }
        assert (str(staff.lead), "co_worker") in current
        assert (str(cp_lead), "lead_child_protection_practitioner") in current
        episode = ok(fh_client.get(case.url))
        assert episode["stage"] == case.episode["stage"], "the episode did not close"
        assert episode["lead"]["practitioner_id"] == str(staff.lead)

    def test_a_step_needs_if_match_and_names_the_field_it_refuses(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        body = {
            "to_type": "family_help",
            "to_basis": "s17",
            "decided_by": str(staff.lead),
            "reason": "Child in need",
        }
        assert fh_client.post(f"{case.url}/step-across", json=body).status_code == 428
        problem = post(case, "/step-across", body, status=422)
        assert problem["code"] == "social_worker_required"
        assert [e["field"] for e in problem["errors"]] == ["decided_by"]

    def test_someone_with_no_tie_to_the_episode_gets_the_unknown_id_answer(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = social_worker(new_uow, "Sue Supervisor")
        with as_user(fh_client, staff.police_officer):
            hidden = fh_client.get(f"{case.url}/family-help")
            unknown = fh_client.get(f"{API}/episodes/{uuid.uuid4()}/family-help")
            step = fh_client.post(
                f"{case.url}/step-across",
                json={
                    "to_type": "family_help",
                    "to_basis": "s17",
                    "decided_by": str(supervisor),
                    "reason": "x",
                },
                headers={"If-Match": '"1"'},
            )
        assert hidden.status_code == unknown.status_code == step.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]

    def test_a_manager_allocates_a_lead_from_another_agency_with_the_family_s_say(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        body = {
            "practitioner_id": str(staff.school_worker),
            "role": "family_help_lead_practitioner",
            "chosen_with_family": True,
            "family_choice_note": "Ava asked for Sam.",
        }
        refused = post(case, "/allocations", body, status=403)
        assert refused["code"] == "not_permitted"
        with as_user(fh_client, staff.manager):
            data = post(case, "/allocations", body)
        [lead] = [
            a
            for a in data["allocations"]
            if a["role"] == "family_help_lead_practitioner" and not a["ended_on"]
        ]
        assert (lead["practitioner_name"], lead["chosen_with_family"]) == ("Sam School", True)
        with as_user(fh_client, staff.school_worker):
            episode = ok(fh_client.get(case.url))
        assert episode["lead"]["practitioner_id"] == str(staff.school_worker), "access follows"


class TestCensus:
    def test_the_extract_is_csv_of_each_child_with_the_census_items(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = social_worker(new_uow, "Sue Supervisor")
        data = to_s17(case, supervisor)
        day = data["census"]["referral_on"]
        _, etag = family_help(case)
        bad = fh_client.put(
            f"{case.url}/census-dates",
            json={"referral_on": day, "primary_need_code": "N99"},
            headers={"If-Match": etag},
        )
        assert (bad.status_code, bad.json()["code"]) == (422, "census_code_unknown")
        dates = {
            "referral_on": day,
            "referral_source_code": "2A",
            "primary_need_code": "N4",
            "assessment_started_on": day,
        }
        ok(fh_client.put(f"{case.url}/census-dates", json=dates, headers={"If-Match": etag}))
        reporting = given_practitioner(new_uow, roles={Role.REPORTING})
        params = {"from": "2024-04-01", "to": clock.today().isoformat()}
        with as_user(fh_client, staff.lead):
            assert fh_client.get(f"{API}/reports/cin-census", params=params).status_code == 403
        with as_user(fh_client, reporting):
            response = fh_client.get(f"{API}/reports/cin-census", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        child = case.person("child")
        assert [
            (r["LAchildID"], r["CINreferralDate"], r["ReferralSource"], r["PrimaryNeedCode"])
            for r in rows
        ] == [(child, day, "2A", "N4")]
        assert rows[0]["AssessmentActualStartDate"] == day

    def test_a_reversed_period_names_the_field(self, fh_client: TestClient, staff: Staff) -> None:
        with as_user(fh_client, staff.manager):
            response = fh_client.get(
                f"{API}/reports/cin-census", params={"from": "2026-01-02", "to": "2026-01-01"}
            )
        assert response.status_code == 422
        assert response.json()["code"] == "period_start_after_end"


def to_s47(case: Case, supervisor: uuid.UUID, cp_lead: uuid.UUID) -> dict[str, Any]:
    body = {
        "to_type": "family_help",
        "to_basis": "s47",
        "decided_by": str(supervisor),
        "reason": "Strategy discussion: s47 enquiry",
        "lead_child_protection_practitioner_id": str(cp_lead),
    }
    data: dict[str, Any] = post(case, "/step-across", body)
    return data


def identified_case(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> Case:
    """A household whose child is on the register with an NHS number, a UPN, the council's id,
    her sex, her ethnic group and her disabilities."""
    child = make_member_body(
        "child",
        given_name="Ava",
        family_name="Hughes",
        date_of_birth="2017-06-01",
        sex="female",
        ethnicity="white_british",
        disabilities=["LD", "COMM"],
        identifiers=[
            {"scheme": "nhs_number", "value": "943 476 5919"},
            {"scheme": "upn", "value": "A123456789012"},
            {"scheme": "la_child_id", "value": "LA-000123"},
        ],
    )
    parent = make_member_body(
        "parent_carer", given_name="Sarah", family_name="Hughes", date_of_birth="1990-02-14"
    )
    body = make_family_body(reference.hubs["NORTH"], members=[parent, child])
    family = ok(client.post(f"{API}/families", json=body), 201)
    response = client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead))
    return Case(client, clock, family, ok(response, 201), response.headers["ETag"])


class TestChildProtectionInTheCensus:
    def test_an_s47_episode_s_enquiry_and_plan_reach_the_extract_with_the_child_s_codes(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = identified_case(fh_client, clock, reference, staff)
        supervisor = social_worker(new_uow, "Sue Supervisor")
        referred = to_s17(case, supervisor)["census"]["referral_on"]
        with as_user(fh_client, staff.manager):
            to_s47(case, supervisor, social_worker(new_uow, "Chris Protection"))
        day = clock.today().isoformat()
        body = {
            "s47_enquiries": [{"started_on": day, "icpc_on": day}],
            "child_protection_plans": [
                {
                    "started_on": day,
                    "initial_category_code": "NEG",
                    "latest_category_code": "EMO",
                    "review_dates": [day],
                }
            ],
        }
        _, etag = family_help(case)
        recorded = ok(
            fh_client.put(
                f"{case.url}/census-child-protection", json=body, headers={"If-Match": etag}
            )
        )
        assert recorded["child_protection"]["child_protection_plans"][0]["review_dates"] == [day]
        reporting = given_practitioner(new_uow, roles={Role.REPORTING})
        with as_user(fh_client, reporting):
            response = fh_client.get(
                f"{API}/reports/cin-census", params={"from": "2024-04-01", "to": day}
            )
        assert response.status_code == 200, response.text
        [row] = list(csv.DictReader(io.StringIO(response.text)))
        assert {k: row[k] for k in row if k != "FamilyhubEpisodeID"} == {
            "LAchildID": "LA-000123",
            "UPN": "A123456789012",
            "NHSNumber": "9434765919",
            "PersonBirthDate": "2017-06-01",
            "ExpectedPersonBirthDate": "",
            "GenderCurrent": "2",
            "Ethnicity": "WBRI",
            "Disabilities": "LD|COMM",
            "CINreferralDate": referred,
            "ReferralSource": "",
            "PrimaryNeedCode": "",
            "AssessmentActualStartDate": "",
            "AssessmentAuthorisationDate": "",
            "CINPlanStartDate": "",
            "CINPlanEndDate": "",
            "S47ActualStartDate": day,
            "ICPCnotRequired": "false",
            "DateOfInitialCPC": day,
            "CPPstartDate": day,
            "CPPendDate": "",
            "InitialCategoryOfAbuse": "NEG",
            "LatestCategoryOfAbuse": "EMO",
            "CPPreviewDate": day,
            "CINclosureDate": "",
            "ReasonForClosure": "",
        }

    def test_a_bad_category_or_a_plan_ending_before_it_starts_is_refused_naming_the_field(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        supervisor = social_worker(new_uow, "Sue Supervisor")
        to_s17(case, supervisor)
        with as_user(fh_client, staff.manager):
            to_s47(case, supervisor, social_worker(new_uow, "Chris Protection"))
        day = clock.today().isoformat()
        _, etag = family_help(case)

        def put(plan: dict[str, Any]) -> Any:
            response = fh_client.put(
                f"{case.url}/census-child-protection",
                json={"child_protection_plans": [plan]},
                headers={"If-Match": etag},
            )
            assert response.status_code == 422, response.text
            return response.json()

        bad_code = put({"started_on": day, "initial_category_code": "PHYS"})
        assert bad_code["code"] == "census_code_unknown"
        assert [e["field"] for e in bad_code["errors"]] == [
            "child_protection_plans[0].initial_category_code"
        ]
        backwards = put(
            {
                "started_on": day,
                "ended_on": (clock.today() - timedelta(days=1)).isoformat(),
                "initial_category_code": "NEG",
            }
        )
        assert backwards["code"] == "census_date_out_of_order"
        assert [e["field"] for e in backwards["errors"]] == ["child_protection_plans[0].ended_on"]
        data, unchanged = family_help(case)
        assert unchanged == etag, "nothing was written"
        assert data["child_protection"]["child_protection_plans"] == []

    def test_child_in_need_work_never_on_s47_has_no_enquiries(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        to_s17(case, social_worker(new_uow, "Sue Supervisor"))
        _, etag = family_help(case)
        response = fh_client.put(
            f"{case.url}/census-child-protection",
            json={"s47_enquiries": [{"started_on": clock.today().isoformat()}]},
            headers={"If-Match": etag},
        )
        assert (response.status_code, response.json()["code"]) == (
            409,
            "child_protection_without_s47",
        )


class TestNotSwitchedOver:
    def test_a_council_off_family_help_keeps_early_help_and_refuses_a_step(
        self,
        client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(client, clock, reference, staff, "Hughes")
        supervisor = social_worker(new_uow, "Sue Supervisor")
        data, etag = family_help(case)
        assert (data["episode_type"], data["family_help_enabled"], etag) == (
            "early_help",
            False,
            '"0"',
        )
        response = client.post(
            f"{case.url}/step-across",
            json={
                "to_type": "family_help",
                "to_basis": "s17",
                "decided_by": str(supervisor),
                "reason": "Child in need",
                "oversight_practitioner_id": str(supervisor),
            },
            headers={"If-Match": etag},
        )
        assert (response.status_code, response.json()["code"]) == (409, "family_help_off")


class TestPractitionerRegistration:
    def test_profession_and_registration_are_kept_and_a_bad_number_names_its_field(
        self, client: TestClient, new_uow: Callable[[], UnitOfWork]
    ) -> None:
        admin = given_practitioner(new_uow, roles={Role.ADMIN})
        body = {
            "name": "Sue Supervisor",
            "email": "sue@council.example",
            "agency_code": "COUNCIL_EH",
            "roles": ["practitioner"],
            "profession": "Social worker",
            "registered_social_worker": True,
            "social_work_registration_number": "sw 123456",
        }
        with as_user(client, admin):
            created = ok(client.post(f"{API}/practitioners", json=body), 201)
            bad = client.post(
                f"{API}/practitioners",
                json={**body, "email": "x@council.example", "social_work_registration_number": "1"},
            )
        assert (created["profession"], created["social_work_registration_number"]) == (
            "Social worker",
            "SW123456",
        )
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["social_work_registration_number"]


class TestSharingOnAStatutoryBasis:
    """Issue 20 §5: on s.17 or s.47 a TAF agency's access rests on the statutory basis, so a
    family withdrawing consent to share does not cut off statutory partners; on a basis of none
    it still does."""

    def school_on_taf_under_consent(self, case: Case, staff: Staff) -> dict[str, Any]:
        from tests.api.test_episodes import give_consent

        give_consent(case, day=case.clock.today().isoformat())
        sharing = give_consent(
            case,
            "information_sharing",
            day=case.clock.today().isoformat(),
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        ok(
            case.client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "practitioner",
                    "practitioner_id": str(staff.school_worker),
                    "role": "Attendance officer",
                },
            ),
            201,
        )
        return sharing

    def withdraw(self, case: Case, sharing: dict[str, Any]) -> None:
        ok(
            case.client.post(
                f"{API}/families/{case.family['id']}/consents/{sharing['id']}/withdrawal",
                headers={"If-Match": f'"{sharing["version"]}"'},
                json={
                    "withdrawn_on": case.clock.today().isoformat(),
                    "reason": "Mum does not want the school told any more",
                },
            )
        )

    def reads(self, case: Case, staff: Staff) -> tuple[int, int, bool]:
        with as_user(case.client, staff.school_worker):
            episode = case.client.get(case.url).status_code
            family = case.client.get(f"{API}/families/{case.family['id']}").status_code
            listed = case.family["id"] in {
                f["id"] for f in ok(case.client.get(f"{API}/families"))["items"]
            }
        return episode, family, listed

    def test_withdrawn_consent_leaves_a_statutory_partner_reading_an_s17_episode(
        self,
        fh_client: TestClient,
        clock: FixedClock,
        reference: ReferenceData,
        staff: Staff,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        sharing = self.school_on_taf_under_consent(case, staff)
        to_s17(case, social_worker(new_uow, "Sue Supervisor"))
        self.withdraw(case, sharing)
        assert self.reads(case, staff) == (200, 200, True)

    def test_on_a_basis_of_none_withdrawing_consent_still_cuts_the_partner_off(
        self, fh_client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        case = new_case(fh_client, clock, reference, staff, "Hughes")
        sharing = self.school_on_taf_under_consent(case, staff)
        assert self.reads(case, staff) == (200, 200, True)
        self.withdraw(case, sharing)
        assert self.reads(case, staff) == (404, 404, False)


def test_a_step_across_is_in_the_familys_chronology(
    fh_client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    case = new_case(fh_client, clock, reference, staff, "Hughes")
    supervisor = social_worker(new_uow, "Sue Supervisor")
    to_s17(case, supervisor)
    entries = ok(
        case.client.get(
            f"{API}/families/{case.family['id']}/chronology", params={"kind": "step_across"}
        )
    )["items"]
    assert [(e["kind"], e["by_practitioner_id"]) for e in entries] == [
        ("step_across", str(supervisor))
    ]
    assert entries[0]["what"].startswith("Stepped across: family_help (none) to family_help (s17)")


def test_s47_enquiries_and_child_protection_plans_are_in_the_chronology_for_the_lead_only(
    fh_client: TestClient,
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """An enquiry started on the day of referral, conferenced a week later, a plan for neglect
    from then, reviewed a week on and ended three weeks after the referral: five entries, each on
    its own day."""
    case = new_case(fh_client, clock, reference, staff, "Hughes")
    supervisor = social_worker(new_uow, "Sue Supervisor")
    to_s17(case, supervisor)
    with as_user(fh_client, staff.manager):
        to_s47(case, supervisor, social_worker(new_uow, "Chris Protection"))
    referred = clock.today()
    clock.instant += timedelta(days=21)
    day = {n: (referred + timedelta(days=21 - n)).isoformat() for n in (0, 7, 14, 21)}
    body = {
        "s47_enquiries": [{"started_on": day[21], "icpc_on": day[14]}],
        "child_protection_plans": [
            {
                "started_on": day[14],
                "ended_on": day[0],
                "initial_category_code": "NEG",
                "latest_category_code": "EMO",
                "review_dates": [day[7]],
            }
        ],
    }
    _, etag = family_help(case)
    ok(fh_client.put(f"{case.url}/census-child-protection", json=body, headers={"If-Match": etag}))
    kinds = [
        "s47_enquiry_started",
        "initial_cp_conference",
        "cp_plan_started",
        "cp_plan_reviewed",
        "cp_plan_ended",
    ]
    url = f"{API}/families/{case.family['id']}/chronology"
    entries = ok(case.client.get(url, params={"kind": kinds}))["items"]
    assert [(e["on"], e["kind"]) for e in entries] == [
        (day[21], "s47_enquiry_started"),
        (day[14], "initial_cp_conference"),
        (day[14], "cp_plan_started"),
        (day[7], "cp_plan_reviewed"),
        (day[0], "cp_plan_ended"),
    ]
    assert {e["episode_id"] for e in entries} == {case.episode["id"]}
    assert entries[2]["what"] == "Child protection plan started: NEG"
    assert entries[0]["link"].endswith(f"/episodes/{case.episode['id']}/family-help")
    only_plans = ok(case.client.get(url, params={"kind": "cp_plan_started"}))["items"]
    assert [e["kind"] for e in only_plans] == ["cp_plan_started"]
    stranger = given_practitioner(new_uow, roles={Role.PRACTITIONER})
    with as_user(fh_client, stranger):
        assert fh_client.get(url, params={"kind": kinds}).status_code == 404
