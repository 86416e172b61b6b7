"""The API's conventions hold everywhere: problem+json errors, health checks, body limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.builders import ReferenceData, make_family_body


def test_health_says_the_process_is_up(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_checks_the_database_and_migrations(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "read_replica": "not_configured",
    }


def test_an_unknown_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-found"


def test_malformed_json_is_a_422_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/families", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_an_oversized_body_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/families", content=b"x" * 1_100_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_text_with_nul_characters_is_refused(client: TestClient, reference) -> None:  # type: ignore[no-untyped-def]
    from tests.builders import make_family_body

    body = make_family_body(
        reference.hubs["NORTH"], address={"line1": "1\u0000 Road", "postcode": "FY1 3HT"}
    )
    assert client.post("/api/v1/families", json=body).status_code == 422


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    assert (
        client.get("/health", headers={"X-Request-ID": "abc123"}).headers["X-Request-ID"]
        == "abc123"
    )
    assert len(client.get("/health").headers["X-Request-ID"]) == 32


def test_reference_data_is_listed(client: TestClient) -> None:
    assert [h["code"] for h in client.get("/api/v1/hubs").json()] == ["CENTRAL", "NORTH", "SOUTH"]
    assert "SCHOOL" in [a["code"] for a in client.get("/api/v1/agencies").json()]


def test_a_body_that_is_not_utf8_is_a_422_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/families", content=b"\xff", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


@pytest.mark.parametrize("body", [b"\x00", b"{", b'{"hub_id": 1,,}', b"[1, 2"])
def test_a_body_that_is_not_json_is_a_422_naming_the_body(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/v1/families", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert response.json()["detail"] == "Some fields need attention: body."


def test_opening_an_episode_for_an_unknown_family_is_a_documented_404(client: TestClient) -> None:
    response = client.post(
        "/api/v1/episodes",
        json={
            "family_id": "7d0f8a0e-0000-4000-8000-000000000000",
            "source": "school",
            "level_of_need": "2",
            "lead_practitioner_id": "7d0f8a0e-0000-4000-8000-000000000001",
            "child_person_ids": ["7d0f8a0e-0000-4000-8000-000000000002"],
        },
    )
    assert response.status_code == 404
    documented = client.app.openapi()["paths"]["/api/v1/episodes"]["post"]["responses"]  # type: ignore[attr-defined]
    assert "404" in documented


def test_answers_over_a_kilobyte_are_gzipped_for_clients_that_accept_it(
    client: TestClient, reference: ReferenceData
) -> None:
    for n in range(6):
        body = make_family_body(reference.hubs["NORTH"], reference=f"FH-GZ{n:04d}")
        assert client.post("/api/v1/families", json=body).status_code == 201
    zipped = client.get("/api/v1/families", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/api/v1/families", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json()  # httpx decompresses it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2


def test_a_list_answers_304_to_if_none_match_until_it_changes(
    client: TestClient, reference: ReferenceData
) -> None:
    first = client.get("/api/v1/families")
    tag = first.headers["ETag"]
    same = client.get("/api/v1/families", headers={"If-None-Match": tag})
    assert (same.status_code, same.content, same.headers["ETag"]) == (304, b"", tag)
    body = make_family_body(reference.hubs["NORTH"], reference="FH-NEW0001")
    assert client.post("/api/v1/families", json=body).status_code == 201
    changed = client.get("/api/v1/families", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert [f["reference"] for f in changed.json()["items"]] == ["FH-NEW0001"]


def test_a_single_record_keeps_its_version_as_its_etag(
    client: TestClient, reference: ReferenceData
) -> None:
    created = client.post("/api/v1/families", json=make_family_body(reference.hubs["NORTH"]))
    read = client.get(f"/api/v1/families/{created.json()['id']}")
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'


def test_every_field_problem_is_reported_at_once_in_words_a_person_can_read(
    client: TestClient, reference: ReferenceData
) -> None:
    body = make_family_body(reference.hubs["NORTH"])
    body["hub_id"] = "not-an-id"
    body["members"][0]["role"] = "grandparent"
    body["members"][1]["person"]["date_of_birth"] = "01/06/2017"
    body["members"][1]["person"]["favourite_colour"] = "blue"
    del body["address"]["line1"]
    response = client.post("/api/v1/families", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_request"
    by_field = {e["field"]: (e["type"], e["message"]) for e in problem["errors"]}
    assert by_field == {
        "address.line1": ("required", "Give a value here: it is required."),
        "hub_id": (
            "not_an_id",
            "This is not an id: ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
        ),
        "members[0].role": ("not_one_of", "Choose one of: child, parent carer, other adult."),
        "members[1].person.date_of_birth": (
            "not_a_date",
            "Give a date as YYYY-MM-DD, e.g. 2026-03-01.",
        ),
        "members[1].person.favourite_colour": (
            "unknown_field",
            "This is not a field of this request: check its spelling, or leave it out.",
        ),
    }
    assert "Input should" not in response.text


def test_every_problem_type_the_api_sends_resolves_to_a_page_explaining_it(
    client: TestClient,
) -> None:
    from app.api.problems import _HTTP_SLUGS, PROBLEM_TABLE

    slugs = {slug for _status, slug, _title in PROBLEM_TABLE.values()}
    slugs |= {slug for slug, _title in _HTTP_SLUGS.values()}
    slugs |= {"validation", "internal", "unavailable"}
    for slug in sorted(slugs):
        page = client.get(f"/problems/{slug}")
        assert page.status_code == 200, slug
        assert page.headers["content-type"].startswith("text/html")
        assert "What to do" in page.text
    assert client.get("/problems/no-such-thing").status_code == 404


def test_every_kind_of_problem_names_a_field_error_type_of_the_contract() -> None:
    from app.api.field_errors import FieldErrorType
    from app.api.problems import PROBLEM_TABLE

    slugs = {slug for _status, slug, _title in PROBLEM_TABLE.values()} | {"bad-request"}
    assert {FieldErrorType.of_problem(slug).value for slug in slugs} == {
        s.replace("-", "_") for s in slugs
    }
