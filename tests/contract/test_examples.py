"""The contract's examples are ones the service would accept and send: each validates against the
model it illustrates (Spectral checks them against the published schemas too)."""

from __future__ import annotations

import sys

import pytest
from pydantic import BaseModel

from app.api.problems import StaleProblem
from tests.contract.test_openapi import generated


def models_by_name() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("app.api."):
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel):
                    found.setdefault(value.__name__, value)
    return found


DOCUMENT = generated()
EXAMPLES = [
    pytest.param(name, example, id=f"{name}[{n}]")
    for name, schema in DOCUMENT["components"]["schemas"].items()
    for n, example in enumerate(schema.get("examples", []))
]


def test_most_top_level_schemas_have_an_example() -> None:
    assert len({name for name, *_ in (p.values for p in EXAMPLES)}) > 60


@pytest.mark.parametrize(("name", "example"), EXAMPLES)
def test_every_example_is_a_valid_instance_of_its_model(name: str, example: object) -> None:
    # The 412 problems are typed per resource in the contract only (app/api/openapi.py).
    model = StaleProblem if name.startswith("Stale") else models_by_name()[name]
    model.model_validate(example)
