"""Who is calling (a verified bearer token naming an active practitioner) and the gate they pass."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import ClockDep, UowDep, get_audit_keys, get_session_factory
from app.api.principal_cache import PrincipalCache
from app.api.security import (
    HS256,
    JWKS_CACHE_SECONDS,
    TokenRejected,
    TokenSettings,
    TokenVerifier,
    bearer_token,
    sole_authorization,
    unauthorized,
)
from app.clock import SystemClock
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import (
    MIN_BREAK_GLASS_REASON,
    Action,
    Principal,
    RecordFacts,
    require_break_glass_reason,
)
from app.domain.audit import AuditKeys
from app.domain.practitioners import Practitioner
from app.services import access
from app.services.ports import Clock, UnitOfWork
from app.settings import Settings

T = TypeVar("T")

log = logging.getLogger("familyhub.auth")

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A JWT from the council's identity provider (locally: `familyhub token --user <email>`).",
)


def token_settings(settings: Settings) -> TokenSettings:
    secret = settings.auth_hs256_secret
    return TokenSettings(
        algorithms=tuple(settings.auth_algorithms),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        hs256_secret=(
            secret.get_secret_value()
            if secret is not None and HS256 in settings.auth_algorithms
            else None
        ),
        jwks_path=settings.auth_jwks_path,
        jwks_url=settings.auth_jwks_url,
        leeway_seconds=settings.auth_leeway_seconds,
        max_token_age_seconds=settings.auth_max_token_age_seconds,
        # Remembered as long as who the subject is, never longer than the identity provider's keys.
        remember_verified_seconds=min(settings.principal_cache_seconds, JWKS_CACHE_SECONDS),
    )


def make_verifier(settings: Settings) -> TokenVerifier:
    """Built once per app so the identity provider's keys are cached; time is the real wall clock."""
    from zoneinfo import ZoneInfo

    return TokenVerifier(token_settings(settings), now=SystemClock(ZoneInfo(settings.timezone)).now)


class BearerTokenMiddleware:
    """Refuses any API request without a valid token before its body is even read.

    Checking here (not only in the route's dependencies) means no answer, not even a 422 for a
    malformed body, is given to a caller who has not authenticated.
    """

    def __init__(
        self, app: ASGIApp, *, verifier: TokenVerifier, protected_prefix: str = "/api/"
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.protected_prefix = protected_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith(self.protected_prefix)
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        try:
            claims = self.verifier.verify(
                bearer_token(sole_authorization(scope.get("headers") or []))
            )
        except TokenRejected as rejected:
            log.info("token refused: %s", rejected.reason)
            await _refuse(scope, send)
            return
        scope.setdefault("state", {})["token_subject"] = claims.subject
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send) -> None:
    body = json.dumps(
        {
            "type": "/problems/unauthorized",
            "title": "Authentication required",
            "status": 401,
            "detail": "Authentication required.",
            "code": "HTTP401",
            "instance": scope.get("path"),
            "request_id": (scope.get("state") or {}).get("request_id"),
            "errors": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"www-authenticate", b"Bearer"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def get_principal(
    request: Request,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """Every failure is the same bare 401: nothing that would help an attacker."""
    subject: str | None = getattr(request.state, "token_subject", None)
    if subject is None:
        # HTTPBearer read the first Authorization header; a second one makes the request refused.
        if credentials is None or len(request.headers.getlist("authorization")) != 1:
            raise unauthorized()
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            subject = verifier.verify(credentials.credentials).subject
        except TokenRejected as rejected:
            log.info("token refused: %s", rejected.reason)
            raise unauthorized() from None
    cache: PrincipalCache = request.app.state.principal_cache
    principal = cache.get(subject)
    if principal is None:
        practitioner = await run_in_threadpool(_practitioner_named, uow, subject)
        if practitioner is None or not practitioner.active:
            log.info("token refused: unknown or inactive subject")
            raise unauthorized()
        principal = practitioner.as_principal()
        cache.put(subject, principal)
    request.state.practitioner_id = str(principal.practitioner_id)
    return principal


def _practitioner_named(uow: SqlUnitOfWork, subject: str) -> Practitioner | None:
    """A token's subject is the practitioner's id, or their email for local tokens."""
    with uow:
        try:
            return uow.practitioners.get(uuid.UUID(subject))
        except ValueError:
            return uow.practitioners.get_by_email(subject)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass
class Gate:
    """Asks the access rules for this request and records the access in the audit trail."""

    subject: access.Subject
    new_uow: Callable[[], UnitOfWork]
    request_uow: UnitOfWork
    """The unit of work the route's services use (FastAPI gives both the same one)."""
    clock: Clock

    @property
    def principal(self) -> Principal:
        return self.subject.principal

    def require(
        self,
        action: Action,
        resource_type: str,
        *,
        resource_id: object = None,
        family_id: uuid.UUID | None = None,
        episode_id: uuid.UUID | None = None,
        action_item_id: uuid.UUID | None = None,
    ) -> RecordFacts | None:
        target = _target(resource_type, resource_id, family_id, episode_id, action_item_id)
        return access.authorize(self.new_uow, self.clock, self.subject, action, target).record

    def read(
        self,
        action: Action,
        resource_type: str,
        then: Callable[[], T],
        *,
        resource_id: object = None,
        family_id: uuid.UUID | None = None,
        episode_id: uuid.UUID | None = None,
    ) -> tuple[RecordFacts | None, T]:
        """`require`, then `then` (the route's service read on the request's unit of work) in the
        same transaction; the access is audited before the answer goes out."""
        target = _target(resource_type, resource_id, family_id, episode_id, None)
        grant, result = access.read_authorized(
            self.request_uow, self.clock, self.subject, action, target, then
        )
        return grant.record, result

    def visible_families(self, family_ids: list[uuid.UUID]) -> dict[uuid.UUID, RecordFacts]:
        return access.visible_families(self.new_uow, self.clock, self.subject, family_ids)

    def read_visible_families(
        self, then: Callable[[], T], family_ids_of: Callable[[T], Iterable[uuid.UUID]]
    ) -> tuple[T, dict[uuid.UUID, RecordFacts]]:
        """`then` (the route's page read, on the request's unit of work), and the facts of the
        families on it the user may read, in one transaction; each shown is audited as read."""
        return access.read_visible_families(
            self.request_uow, self.clock, self.subject, then, family_ids_of
        )

    def record_families_listed(self, family_ids: Iterable[uuid.UUID]) -> None:
        access.record_families_listed(self.request_uow, self.clock, self.subject, family_ids)

    def read_visible_episodes(
        self,
        then: Callable[[], T],
        episodes_of: Callable[[T], Iterable[tuple[uuid.UUID, uuid.UUID]]],
    ) -> tuple[T, set[uuid.UUID]]:
        """As `read_visible_families`, for a page of (episode id, family id) pairs."""
        return access.read_visible_episodes(
            self.request_uow, self.clock, self.subject, then, episodes_of
        )


async def get_gate(
    request: Request,
    principal: PrincipalDep,
    clock: ClockDep,
    factory: Annotated[sessionmaker[Session], Depends(get_session_factory)],
    audit_keys: Annotated[AuditKeys, Depends(get_audit_keys)],
    uow: UowDep,
    break_glass_reason: Annotated[
        str | None,
        Header(
            alias="X-Break-Glass-Reason",
            max_length=500,
            # Documented, not enforced here: the rule (trimmed length) is the domain's, which names
            # the field `break_glass_reason` in its 422.
            json_schema_extra={"minLength": MIN_BREAK_GLASS_REASON},
            description="To read a record outside your relationships (audited and reported): say why.",
        ),
    ] = None,
) -> Gate:
    reason = (
        require_break_glass_reason(break_glass_reason) if break_glass_reason is not None else None
    )
    subject = access.Subject(
        principal=principal,
        request_id=getattr(request.state, "request_id", None),
        break_glass_reason=reason,
    )
    return Gate(
        subject=subject,
        new_uow=lambda: SqlUnitOfWork(factory, audit_keys=audit_keys),
        request_uow=uow,
        clock=clock,
    )


def _target(
    resource_type: str,
    resource_id: object,
    family_id: uuid.UUID | None,
    episode_id: uuid.UUID | None,
    action_item_id: uuid.UUID | None,
) -> access.Target:
    return access.Target(
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        family_id=family_id,
        episode_id=episode_id,
        action_item_id=action_item_id,
    )


GateDep = Annotated[Gate, Depends(get_gate)]
