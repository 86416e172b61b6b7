"""Every API route declares the one action it performs (`acting`, app/api/acting.py), and the
published contract names it on the operation as `x-familyhub-action`.

The use case refuses to end without deciding the declared action, so a route that declares one
cannot skip the access rules; this walk makes sure no route gets by without declaring one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from app.api.acting import ACTION_ATTRIBUTE, OPENAPI_ACTION_KEY, declared_action
from app.db.engine import make_engine
from app.domain.access import Action
from app.main import create_app
from app.settings import Settings
from tests.contract.test_openapi import CONTRACT

Operation = tuple[str, str]
"""(METHOD, path template)"""


WITHOUT_AN_ACTION: frozenset[Operation] = frozenset()
"""API routes allowed to declare no action, each with the reason beside it: none. (`/health` and
`/ready` are outside /api/ and the access rules: load balancers call them signed out.)"""


def _actions_in(dependencies: list[Any]) -> list[Action]:
    """Every action declared among these dependencies and theirs, however deep."""
    found: list[Action] = []
    for dependency in dependencies:
        action = getattr(dependency.call, ACTION_ATTRIBUTE, None)
        if isinstance(action, Action):
            found.append(action)
        found += _actions_in(dependency.dependencies)
    return found


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(database_url="sqlite://"), engine=make_engine("sqlite://"))


@pytest.fixture(scope="module")
def api_routes(app: FastAPI) -> dict[Operation, Any]:
    """Every operation the app serves under /api/, with its route (included routers too)."""
    routes: dict[Operation, Any] = {}
    for route in iter_route_contexts(app.routes):
        path = route.path_format or ""
        if not path.startswith("/api/"):
            continue
        for method in route.methods or ():
            routes[(method, path)] = route
    return routes


def _api_operations(document: dict[str, Any]) -> dict[Operation, dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    }


def test_the_walk_finds_every_operation_of_the_contract(
    app: FastAPI, api_routes: dict[Operation, Any]
) -> None:
    """Else a walk that found nothing (routers are included lazily) would check nothing."""
    assert set(api_routes) == set(_api_operations(app.openapi()))
    assert ("GET", "/api/v1/families/{family_id}") in api_routes


def test_every_api_route_declares_exactly_one_action(api_routes: dict[Operation, Any]) -> None:
    wrong = {
        f"{method} {path}: {[a.value for a in actions] or 'no action'}"
        for (method, path), route in api_routes.items()
        if (method, path) not in WITHOUT_AN_ACTION
        and len(actions := _actions_in(route.dependant.dependencies)) != 1
    }
    assert not wrong, "declare `actor: Annotated[Actor, acting(Action.X)]` on:\n" + "\n".join(
        sorted(wrong)
    )


def test_the_declared_action_is_the_route_s_own_dependency(
    api_routes: dict[Operation, Any],
) -> None:
    """`declared_action` (what the contract publishes) finds the one action each route declares."""
    for operation, route in api_routes.items():
        actions = _actions_in(route.dependant.dependencies)
        if actions:
            assert declared_action(route.dependant.dependencies) == actions[0], operation


def test_a_route_allowed_without_an_action_really_declares_none(
    api_routes: dict[Operation, Any],
) -> None:
    converted_or_gone = {
        f"{method} {path}"
        for method, path in WITHOUT_AN_ACTION
        if (method, path) not in api_routes
        or _actions_in(api_routes[(method, path)].dependant.dependencies)
    }
    assert not converted_or_gone, "converted (or gone): remove from its list:\n" + "\n".join(
        sorted(converted_or_gone)
    )


def test_the_contract_names_each_operation_s_action(
    app: FastAPI, api_routes: dict[Operation, Any]
) -> None:
    committed = _api_operations(json.loads(CONTRACT.read_text()))
    for document in (_api_operations(app.openapi()), committed):
        published = {op: operation.get(OPENAPI_ACTION_KEY) for op, operation in document.items()}
        declared = {
            op: action.value if (action := declared_action(route.dependant.dependencies)) else None
            for op, route in api_routes.items()
        }
        assert published == declared
    assert committed[("PATCH", "/api/v1/practitioners/{practitioner_id}")][OPENAPI_ACTION_KEY] == (
        "manage_practitioners"
    )
