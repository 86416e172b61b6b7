"""Hostile or absurd input is refused with a 4xx problem that names the field, never a 5xx.

Runs on both databases: what reaches the database must be refused before it does, or be refused
by it with a 4xx (a date PostgreSQL cannot hold, a number SQLite cannot bind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.access import Role
from app.domain.paging import encode_cursor
from app.services.ports import UnitOfWork
from app.settings import Settings
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    given_practitioner,
    make_family_body,
    make_member_body,
)

API = "/api/v1"
JSON = {"content-type": "application/json"}


def refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


def fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem.get("errors", [])}


def max_body_bytes() -> int:
    return Settings(env="test").max_body_bytes


class TestOversizedBodies:
    def test_a_declared_length_over_the_limit_is_refused_before_reading(
        self, client: TestClient
    ) -> None:
        body = b"[" + b"0," * (max_body_bytes() // 2) + b"0]"
        refused(client.post(f"{API}/families", content=body, headers=JSON), 413)

    def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(
        self, client: TestClient
    ) -> None:
        chunk = b" " * 64_000

        def chunks() -> Iterator[bytes]:
            for _ in range(max_body_bytes() // len(chunk) + 2):
                yield chunk

        response = client.post(f"{API}/families", content=chunks(), headers=JSON)
        refused(response, 413)

    def test_a_chunked_body_under_the_limit_is_read_as_usual(
        self, client: TestClient, reference: ReferenceData
    ) -> None:
        import json

        payload = json.dumps(make_family_body(reference.hubs["NORTH"])).encode()

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(payload), 16):
                yield payload[start : start + 16]

        response = client.post(f"{API}/families", content=chunks(), headers=JSON)
        assert response.status_code == 201, response.text

    def test_a_length_that_is_not_a_number_is_refused(self, client: TestClient) -> None:
        response = client.post(
            f"{API}/families", content=b"{}", headers={**JSON, "content-length": "12abc"}
        )
        refused(response, 413)


class TestDeeplyNestedJson:
    @pytest.mark.parametrize("depth", [100_000, 5_000, 990, 500])
    def test_nested_arrays_are_refused_as_invalid_input(
        self, client: TestClient, depth: int
    ) -> None:
        body = b"[" * depth + b"]" * depth
        problem = refused(client.post(f"{API}/families", content=body, headers=JSON))
        assert fields(problem) == {"body"}

    @pytest.mark.parametrize("depth", [100_000, *range(500, 1001, 100)])
    def test_nested_objects_inside_a_field_are_refused_naming_it(
        self, client: TestClient, reference: ReferenceData, depth: int
    ) -> None:
        import json

        nested = '{"a":' * depth + "1" + "}" * depth
        body = json.dumps(make_family_body(reference.hubs["NORTH"])).replace(
            '"line1": "12 Cedar Road"', f'"line1": {nested}'
        )
        problem = refused(client.post(f"{API}/families", content=body.encode(), headers=JSON))
        # The field, or the body itself once it is too deep for the JSON parser.
        assert fields(problem) in ({"address.line1"}, {"body"})


LISTS = [
    f"{API}/families",
    f"{API}/episodes",
    f"{API}/me/caseload",
    f"{API}/me/worklist",
    f"{API}/timeliness/overdue",
]


def answers_to(client: TestClient, path: str, name: str, values: list[Any]) -> dict[str, Any]:
    """GET `path` once per value of the query parameter `name`: value → response."""
    return {str(v): client.get(path, params={name: v}) for v in values}


def not_refused_naming(answers: dict[str, Any], field: str) -> dict[str, str]:
    """The values whose answer was not a 422 problem naming `field` (empty when all were)."""
    wrong = {}
    for value, response in answers.items():
        named = (
            {e["field"] for e in response.json().get("errors", [])}
            if response.headers.get("content-type") == "application/problem+json"
            else set()
        )
        if response.status_code != 422 or not named & {f"query.{field}", field}:
            wrong[value[:40]] = f"{response.status_code} {response.text[:200]}"
    return wrong


IMPOSSIBLE_LIMITS = [str(10**9), str(10**30), "201", "0", "-1", "abc", "1.5", "", "NaN"]
FOREIGN_CURSORS = ["garbage", "x" * 1001, "eyJ9", "%00", "WzFd"]
FORGED_CURSOR_KEYS: list[tuple[str | None, ...]] = [
    (),
    ("a",),
    (None, None),
    ("2025-01-01", "not-a-uuid"),
    ("9999999999-01-01", "00000000-0000-0000-0000-000000000000"),
    ("x", "y", "z", "w", "v"),
    ("\u0000", "1"),
]


@pytest.mark.parametrize("path", LISTS)
class TestPagingParameters:
    def test_an_impossible_page_size_is_a_422_naming_limit(
        self, client: TestClient, staff: Staff, path: str
    ) -> None:
        with as_user(client, staff.link_worker if "timeliness" in path else staff.lead):
            answers = answers_to(client, path, "limit", IMPOSSIBLE_LIMITS)
        assert not_refused_naming(answers, "limit") == {}

    def test_a_cursor_that_is_not_one_we_issued_is_a_422_naming_cursor(
        self, client: TestClient, staff: Staff, path: str
    ) -> None:
        with as_user(client, staff.link_worker if "timeliness" in path else staff.lead):
            answers = answers_to(client, path, "cursor", FOREIGN_CURSORS)
        assert not_refused_naming(answers, "cursor") == {}

    def test_a_well_formed_but_forged_cursor_is_never_a_5xx(
        self, client: TestClient, staff: Staff, path: str
    ) -> None:
        """Base64 JSON like ours, with a sort key of the wrong shape or values.

        Where the key still makes sense for the list (any text is a family reference to page
        after; the worklist pages in memory) the answer is a page, possibly empty; otherwise it
        is a 422 naming the cursor. Never a 500.
        """
        forged = [encode_cursor(values) for values in FORGED_CURSOR_KEYS]
        with as_user(client, staff.link_worker if "timeliness" in path else staff.lead):
            answers = answers_to(client, path, "cursor", forged)
        refused_wrongly = not_refused_naming(
            {v: r for v, r in answers.items() if r.status_code != 200}, "cursor"
        )
        assert refused_wrongly == {}


ABSURD_DATES = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "1234567890-01-01",
    "-2025-01-01",
    "99999999999",
    "1e308",
    "2025-03-03T25:00:00",
    "",
]


class TestAbsurdDates:
    @pytest.mark.parametrize("value", ABSURD_DATES)
    def test_in_a_new_familys_date_of_birth(
        self, client: TestClient, reference: ReferenceData, value: str
    ) -> None:
        body = make_family_body(
            reference.hubs["NORTH"], members=[make_member_body("child", date_of_birth=value)]
        )
        problem = refused(client.post(f"{API}/families", json=body))
        assert fields(problem) == {"members[0].person.date_of_birth"}

    @pytest.mark.parametrize("value", ABSURD_DATES)
    def test_in_a_consent(self, client: TestClient, reference: ReferenceData, value: str) -> None:
        family = client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"]))
        assert family.status_code == 201, family.text
        parent = family.json()["members"][0]["person_id"]
        body = {
            "purpose": "early_help",
            "given_by_person_id": parent,
            "method": "written",
            "given_on": value,
        }
        problem = refused(client.post(f"{API}/families/{family.json()['id']}/consents", json=body))
        assert fields(problem) == {"given_on"}

    @pytest.mark.parametrize("value", ABSURD_DATES)
    def test_in_an_episode_request(
        self, client: TestClient, reference: ReferenceData, staff: Staff, value: str
    ) -> None:
        family = client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"]))
        assert family.status_code == 201, family.text
        child = next(m["person_id"] for m in family.json()["members"] if m["role"] == "child")
        body = {
            "family_id": family.json()["id"],
            "source": "school",
            "level_of_need": "2",
            "lead_practitioner_id": str(staff.lead),
            "child_person_ids": [child],
            "requested_on": value,
        }
        problem = refused(client.post(f"{API}/episodes", json=body))
        assert fields(problem) == {"requested_on"}

    @pytest.mark.parametrize(
        ("path", "name", "who"),
        [
            (f"{API}/timeliness/overdue", "as_of", "link_worker"),
            (f"{API}/timeliness/summary", "as_of", "link_worker"),
            (f"{API}/timeliness/summary", "from", "link_worker"),
            (f"{API}/timeliness/summary", "to", "link_worker"),
            (f"{API}/me/worklist", "as_of", "lead"),
            (f"{API}/families", "date_of_birth", "lead"),
            (f"{API}/reports/early-help-measures", "from", "reporter"),
            (f"{API}/reports/early-help-measures", "to", "reporter"),
            (f"{API}/reports/quarterly-progress", "quarter_end", "reporter"),
        ],
    )
    def test_in_a_query_string(
        self,
        client: TestClient,
        new_uow: Callable[[], UnitOfWork],
        staff: Staff,
        path: str,
        name: str,
        who: str,
    ) -> None:
        if who == "reporter":
            user = given_practitioner(new_uow, roles={Role.REPORTING})
        else:
            user = getattr(staff, who)
        base = {"from": "2025-01-01", "to": "2025-03-31"} if "measures" in path else {}
        with as_user(client, user):
            answers = {
                value: client.get(path, params={**base, name: value})
                for value in ABSURD_DATES
                if value  # an empty query parameter means "not given"
            }
        assert not_refused_naming(answers, name) == {}
