"""openapi/openapi.json is the published contract: it must be exactly what the code serves."""

from __future__ import annotations

import difflib
import json
import re
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from app.db.engine import make_engine
from app.main import create_app
from app.settings import Settings
from tests.api.test_episodes import API
from tests.builders import ReferenceData, Staff
from tests.contract.tour import take_the_tour

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def generated() -> dict:  # type: ignore[type-arg]
    return create_app(Settings(database_url="sqlite://"), engine=make_engine("sqlite://")).openapi()


def test_the_committed_contract_matches_the_code() -> None:
    fresh = json.dumps(generated(), indent=2, sort_keys=True) + "\n"
    committed = CONTRACT.read_text()
    if fresh != committed:
        diff = "".join(
            list(difflib.unified_diff(committed.splitlines(True), fresh.splitlines(True)))[:60]
        )
        raise AssertionError(f"openapi/openapi.json is out of date: run `make openapi`.\n{diff}")


def test_every_operation_has_a_stable_id_and_declares_its_errors() -> None:
    for path, methods in generated()["paths"].items():
        for method, operation in methods.items():
            assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"
            if path.startswith("/api/") and method in {"post", "patch", "put"}:
                assert "422" in operation["responses"], (
                    f"{method.upper()} {path} does not declare 422"
                )


# --- what the contract promises, against what the service does -----------------------------------

GENERIC_HEADERS = {"content-type", "content-length", "www-authenticate", "content-encoding", "vary"}
"""Headers HTTP itself defines for any answer (including gzip's content coding and the Vary it
needs): not part of an operation's own contract."""

STREAMED = {("GET", "/api/v1/me/events")}
"""An open-ended event stream, which a synchronous tour cannot hold open: its headers and hints
are checked against real servers in tests/reliability/test_change_hints.py."""

PLAIN_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def _operations(document: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str]]]:
    found = []
    for path, methods in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method in methods:
            found.append((method.upper(), path, pattern))
    # A literal segment wins over a parameter (`/families/duplicate-check`, not `/families/{id}`).
    return sorted(found, key=lambda f: f[1].count("{"))


def _operation_of(
    operations: list[tuple[str, str, re.Pattern[str]]], method: str, path: str
) -> tuple[str, str] | None:
    for verb, template, pattern in operations:
        if verb == method and pattern.match(path):
            return verb, template
    return None


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_component_name_is_plain() -> None:
    """No Python module paths or generic brackets: `AssessmentNeedRead`, `FamilyPage`."""
    names = list(generated()["components"]["schemas"])
    assert [n for n in names if not PLAIN_NAME.match(n)] == []


def test_every_operation_has_one_declared_tag_and_the_document_says_who_and_where() -> None:
    document = generated()
    declared = {tag["name"] for tag in document["tags"]}
    assert all(tag.get("description") for tag in document["tags"])
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert len(operation["tags"]) == 1, f"{method.upper()} {path}: {operation['tags']}"
            assert operation["tags"][0] in declared
    assert {"name", "url", "email"} <= set(document["info"]["contact"])
    assert document["info"]["license"]["url"]
    assert document["servers"]


def test_only_operations_that_read_if_match_answer_412_or_428_and_there_it_is_required() -> None:
    for path, methods in generated()["paths"].items():
        for method, operation in methods.items():
            if_match = [p for p in operation.get("parameters", []) if p["name"] == "If-Match"]
            declared = {"412", "428"} & set(operation["responses"])
            if if_match:
                assert if_match[0]["required"] is True, f"{method.upper()} {path}"
                assert if_match[0]["schema"]["type"] == "string"
                assert declared == {"412", "428"}, f"{method.upper()} {path}"
            else:
                assert declared == set(), f"{method.upper()} {path} declares {declared}"


def test_every_problem_field_the_service_always_sends_is_required() -> None:
    problem = generated()["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "instance",
        "request_id",
        "errors",
    }
    assert "current" not in problem["properties"]


def test_a_wrong_method_is_answered_with_every_method_of_the_path(client: TestClient) -> None:
    response = client.put(f"{API}/families")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    episode = client.delete(f"{API}/episodes/{uuid.uuid4()}/plans")
    assert episode.headers["Allow"] == "GET, POST"


def test_every_operation_sends_exactly_the_headers_it_declares(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff, new_uow: Any
) -> None:
    """A representative request to every operation (tests/contract/tour.py): each answer carries
    every header its response declares as required, and none it does not declare; a 412's
    `current` is there exactly when the contract types it, with its resource's fields."""
    document = client.app.openapi()  # type: ignore[attr-defined]
    operations = _operations(document)
    tour = take_the_tour(client, clock, reference, staff, new_uow)

    answered: set[tuple[str, str]] = set()
    for answer in tour.answers:
        operation = _operation_of(operations, answer.method, answer.path)
        assert operation is not None, f"{answer.method} {answer.path} is no operation"
        verb, template = operation
        responses = document["paths"][template][verb.lower()]["responses"]
        where = f"{verb} {template} → {answer.status}"
        assert str(answer.status) in responses, f"{where}: the status is not declared"
        if 200 <= answer.status < 300:
            answered.add(operation)
        declared = {
            name.lower(): header
            for name, header in responses[str(answer.status)]["headers"].items()
        }
        sent = {name.lower() for name in answer.headers} - GENERIC_HEADERS
        assert sent - set(declared) == set(), f"{where}: undeclared {sent - set(declared)}"
        required = {name for name, h in declared.items() if _header(document, h)["required"]}
        assert required - sent == set(), f"{where}: missing {required - sent}"
        if answer.status == 412:
            _check_current(document, responses["412"], json.loads(answer.body), where)

    every = {(verb, template) for verb, template, _ in operations} - STREAMED
    assert every - answered == set(), "operations the tour never answered with a 2xx"


def _header(document: dict[str, Any], header: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in header:
        found: dict[str, Any] = document["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
        return found
    return header


def _check_current(
    document: dict[str, Any], response: dict[str, Any], body: dict[str, Any], where: str
) -> None:
    schema = _resolve(document, response["content"]["application/problem+json"]["schema"])
    typed = schema["properties"].get("current")
    if typed is None:
        assert "current" not in body, f"{where}: sends a `current` the contract does not type"
        return
    read = _resolve(document, typed)
    variants = [_resolve(document, v) for v in read.get("oneOf", [read])]
    assert "current" in body, f"{where}: the contract types `current` but none was sent"
    assert any(set(v["required"]) <= set(body["current"]) for v in variants), (
        f"{where}: `current` is not {typed}"
    )
