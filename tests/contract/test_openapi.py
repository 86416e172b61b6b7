"""openapi/openapi.json is the published contract: it must be exactly what the code serves."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from app.db.engine import make_engine
from app.main import create_app
from app.settings import Settings

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
