"""Every refusal in app/ names its rule, and the catalogue (docs/errors.md, app/api/error_codes.py)
lists exactly the codes the code raises: read off the source, so neither can drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.api import error_catalogue
from app.api.error_catalogue import Raise, catalogue, collect, refusals
from app.api.error_codes import CODES
from app.api.problems import _HTTP_SLUGS, http_code


@pytest.fixture(scope="module")
def raises() -> list[Raise]:
    return collect()


def test_every_refusal_in_the_service_names_its_rule(raises: list[Raise]) -> None:
    assert len(raises) > 300
    assert list(refusals(raises)) == []


def test_a_refusal_without_a_code_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "app" / "rules.py"
    module.parent.mkdir()
    module.write_text(
        "from app.domain.errors import Conflict, InvalidValue, NotFound\n"
        "def check(x: int) -> None:\n"
        "    if x < 0:\n"
        "        raise InvalidValue('Negative.', field='x')\n"
        "    if x == 0:\n"
        "        raise InvalidValue('Zero.', field='x', code='Zero')\n"
        "    if x == 1:\n"
        "        raise Conflict('One.', code='x_is_one')\n"
        "    if x == 2:\n"
        "        raise InvalidValue('Two.', code='x_is_one')\n"
        "    raise NotFound('Nothing.')\n"
    )
    assert list(refusals(collect(tmp_path / "app"))) == [
        "app/rules.py:4: InvalidValue without a literal code= naming its rule",
        "app/rules.py:6: code 'Zero' is not snake_case of at most 64",
        "code 'x_is_one' is raised as ['conflict', 'invalid-value']: one code, one kind of problem",
    ]


def test_the_same_rule_raised_from_several_places_shares_one_code(raises: list[Raise]) -> None:
    places: dict[str, set[str]] = {}
    for r in raises:
        if r.code is not None:
            places.setdefault(r.code, set()).add(r.where.split(":")[0])
    assert {"app/domain/practitioners.py", "app/services/episodes.py"} <= places["hub_unknown"]
    assert {"app/domain/paging.py", "app/services/timeliness.py"} <= places["cursor_invalid"]
    assert len(places["episode_closed"]) >= 5
    assert len(places["not_found"]) >= 10


def test_the_catalogue_lists_every_code_as_the_service_raises_it(raises: list[Raise]) -> None:
    entries = catalogue(raises)
    written = error_catalogue.DOCS_PATH.read_text(encoding="utf-8")
    assert written == error_catalogue.render_markdown(entries), (
        "docs/errors.md is out of date: run `familyhub error-codes`"
    )
    module = error_catalogue.MODULE_PATH.read_text(encoding="utf-8")
    assert module == error_catalogue.render_module(entries), (
        "app/api/error_codes.py is out of date: run `familyhub error-codes`"
    )
    assert all(meaning for _status, _slug, meaning in CODES.values())
    for code in ("postcode_format", "birth_date_in_future", "plan_already_in_progress"):
        assert code in written


def _codes_written_by_hand(root: Path) -> set[str]:
    """Codes the HTTP layer writes itself: problem documents built as dicts or by
    `problem_response(..., code, ...)`."""
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                fields = {
                    key.value: value.value
                    for key, value in zip(node.keys, node.values, strict=True)
                    if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
                }
                if str(fields.get("type", "")).startswith("/problems/") and "code" in fields:
                    found.add(str(fields["code"]))
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "problem_response"
                and len(node.args) >= 6
                and isinstance(node.args[5], ast.Constant)
            ):
                found.add(str(node.args[5].value))
    return found


def test_every_code_the_http_layer_answers_with_is_in_the_catalogue() -> None:
    written = _codes_written_by_hand(error_catalogue.APP)
    assert {"invalid_request", "database_unavailable", "payload_too_large"} <= written
    answered = written | {http_code(status) for status in (*_HTTP_SLUGS, 418)}
    assert answered - set(CODES) == set()
    for code in answered:
        assert error_catalogue.CODE_FORMAT.match(code), code
