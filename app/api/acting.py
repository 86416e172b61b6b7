"""Every route declares the action it performs, in one place: its actor dependency.

`actor: Annotated[Actor, acting(Action.READ_FAMILY)]` gives the route the signed-in user as the
services see them, carrying the declared action. The use case refuses to end without having
decided that action (`AccessNotDecided`), and tests/contract/test_routes_declare_actions.py walks
every route to check each declares one, so a route that skips the access rules cannot be written.
The action is published in the contract as `x-familyhub-action`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.params import Depends as DependsParam

from app.api.auth import PrincipalDep
from app.domain.access import MIN_BREAK_GLASS_REASON, Action, require_break_glass_reason
from app.services.use_case import Actor

ACTION_ATTRIBUTE = "__familyhub_action__"
OPENAPI_ACTION_KEY = "x-familyhub-action"

BreakGlassReason = Annotated[
    str | None,
    Header(
        alias="X-Break-Glass-Reason",
        max_length=500,
        # Documented, not enforced here: the rule is the domain's, which names the field
        # `break_glass_reason` in its 422.
        json_schema_extra={"minLength": MIN_BREAK_GLASS_REASON},
        description="To read a record outside your relationships (audited and reported): say why,"
        f" in words ({MIN_BREAK_GLASS_REASON}+ characters besides spaces).",
    ),
]


def acting(action: Action) -> DependsParam:
    """The dependency giving a route its actor, for the `action` the route performs."""

    async def actor(
        request: Request, principal: PrincipalDep, break_glass_reason: BreakGlassReason = None
    ) -> Actor:
        reason = (
            require_break_glass_reason(break_glass_reason)
            if break_glass_reason is not None
            else None
        )
        return Actor(
            principal=principal,
            request_id=getattr(request.state, "request_id", None),
            break_glass_reason=reason,
            declared_action=action,
        )

    setattr(actor, ACTION_ATTRIBUTE, action)
    actor.__name__ = f"actor_{action.value}"
    dependency: DependsParam = Depends(actor)
    return dependency


def declared_action(endpoint_dependencies: list[Any]) -> Action | None:
    """The action a route declared, found among its dependencies' callables."""
    for dependency in endpoint_dependencies:
        action = getattr(dependency.call, ACTION_ATTRIBUTE, None)
        if isinstance(action, Action):
            return action
    return None
