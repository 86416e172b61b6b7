"""`familyhub import` and `familyhub export` against the test's database, as an operator runs
them: problems on stdout by line and field, the progress bar on stderr, the export re-readable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import interchange_cli
from app.cli import cli
from app.clock import FixedClock
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from app.interchange.format import HouseholdV1, json_schema
from tests.builders import ReferenceData, Staff, given_practitioner
from tests.interchange_builders import household, line_of

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "interchange.schema.json"


@pytest.fixture
def admin_email(
    monkeypatch: pytest.MonkeyPatch,
    new_uow: Callable[[], SqlUnitOfWork],
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
) -> str:
    monkeypatch.setattr(interchange_cli, "interchange_units_of_work", lambda: new_uow)
    monkeypatch.setattr(interchange_cli, "interchange_clock", lambda: clock)
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    with new_uow() as uow:
        found = uow.practitioners.get(admin)
    assert found is not None
    return found.email


def test_a_file_is_checked_imported_and_exported_from_the_command_line(
    admin_email: str, tmp_path: Path
) -> None:
    bad = household(external_ref="OLD-HH-2")
    bad["people"][1]["joined_on"] = "not a date"
    file = tmp_path / "households.jsonl"
    file.write_text(line_of(household()) + "\n" + line_of(bad) + "\n")

    checked = CliRunner().invoke(cli, ["import", str(file), "--as", admin_email, "--dry-run"])
    assert checked.exit_code == 1
    assert checked.stdout.startswith("line 2: people[1].joined_on: ")
    assert "2/2" in checked.stderr
    assert "1 would import, 0 already imported, 1 refused" in checked.stderr

    file.write_text(line_of(household()) + "\n")
    done = CliRunner().invoke(cli, ["import", str(file), "--as", admin_email])
    assert done.exit_code == 0, done.stderr
    assert "1 imported" in done.stderr

    exported = CliRunner().invoke(cli, ["export", "--as", admin_email, "--all"])
    assert exported.exit_code == 0, exported.stderr
    (line,) = exported.stdout.splitlines()
    assert HouseholdV1.model_validate_json(line).external_ref == "OLD-HH-1"


def test_the_command_refuses_anyone_but_an_admin(admin_email: str, tmp_path: Path) -> None:
    file = tmp_path / "households.jsonl"
    file.write_text(line_of(household()) + "\n")
    refused = CliRunner().invoke(cli, ["import", str(file), "--as", "lead@council.example"])
    assert refused.exit_code == 1
    assert "import refused" in refused.stderr
    exported = CliRunner().invoke(cli, ["export", "--as", "lead@council.example", "--all"])
    assert exported.exit_code == 1


def test_the_published_schema_is_the_format() -> None:
    assert json.loads(SCHEMA.read_text()) == json_schema()
