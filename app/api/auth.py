"""Who is calling (a verified bearer token naming an active practitioner) and the gate they pass."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import UowDep
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
    Principal,
)
from app.domain.practitioners import Practitioner
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
            "code": "unauthenticated",
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
