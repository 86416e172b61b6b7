"""Signing in: every API operation needs a valid bearer token naming an active practitioner.

Tokens are forged here with `hmac` and `cryptography` directly (never with the code under test), and
every refusal is the same bare 401: the answer never says which check failed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi.testclient import TestClient

from app.api.principal_cache import PrincipalCache
from app.clock import SystemClock
from app.domain.access import Principal, Role
from app.services import practitioners
from app.services.use_case import Actor
from app.settings import DEV_TOKEN_SECRET
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    bearer,
    given_practitioner,
    make_family_body,
)

API = "/api/v1"
UNPROTECTED = {"/health", "/ready"}
ISSUER = "familyhub-local"
AUDIENCE = "familyhub"
REASON_WORDS = (
    "expired",
    "expiry",
    "signature",
    "audience",
    "issuer",
    "algorithm",
    "subject",
    "inactive",
    "unknown",
    "not yet",
    "malformed",
    "secret",
    "kid",
    "nbf",
    "aud",
    "iss",
    "exp",
    "sub",
    "alg",
    "hs256",
    "rs256",
)


# --- forging tokens, independently of app.api.security ---------------------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def real_now() -> datetime:
    """The token checks run against the real wall clock, not the test's fixed clock."""
    return SystemClock(ZoneInfo("Europe/London")).now()


def valid_claims(subject: str, **overrides: Any) -> dict[str, Any]:
    issued = int(real_now().timestamp())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + 3600,
    }
    claims.update(overrides)
    return claims


def compact(
    header: Mapping[str, Any], claims: Mapping[str, Any], sign: Callable[[bytes], bytes]
) -> str:
    signing_input = f"{b64u(json.dumps(header).encode())}.{b64u(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64u(sign(signing_input.encode()))}"


def hs256(secret: str) -> Callable[[bytes], bytes]:
    return lambda message: hmac.new(secret.encode(), message, hashlib.sha256).digest()


def forge_hs256(claims: Mapping[str, Any], secret: str = DEV_TOKEN_SECRET) -> str:
    return compact({"alg": "HS256", "typ": "JWT"}, claims, hs256(secret))


@pytest.fixture
def anonymous(client: TestClient) -> Iterator[TestClient]:
    """The same API, with no Authorization header at all."""
    yield from _without_token(client)


def _without_token(client: TestClient) -> Iterator[TestClient]:
    previous = client.headers.pop("Authorization")
    try:
        yield client
    finally:
        client.headers["Authorization"] = previous


@pytest.fixture
def family_url(client: TestClient, reference: ReferenceData) -> str:
    """A family registered by the signed-in lead, so a good token reads it (200)."""
    response = client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"]))
    assert response.status_code == 201, response.text
    return f"{API}/families/{response.json()['id']}"


def assert_bare_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    text = response.text.lower()
    mentioned = [word for word in REASON_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]
    assert mentioned == [], f"the 401 gives away why: {mentioned} in {response.text}"
    assert response.json()["detail"] == "Authentication required."


# --- every operation is protected ------------------------------------------------------------


def _operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.app.openapi()  # type: ignore[attr-defined]
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _m: str(uuid.uuid4()), path)


def test_every_api_operation_refuses_a_caller_without_a_token(anonymous: TestClient) -> None:
    operations = [(m, p) for m, p in _operations(anonymous) if p not in UNPROTECTED]
    assert len(operations) > 40  # the whole API, not an empty document
    answers = {}
    for method, path in operations:
        response = anonymous.request(
            method,
            _concrete(path),
            json={} if method in {"POST", "PUT", "PATCH"} else None,
            headers={"If-Match": '"1"'},
        )
        answers[f"{method} {path}"] = (
            response.status_code,
            response.headers.get("content-type"),
            response.headers.get("www-authenticate"),
        )
    refused = (401, "application/problem+json", "Bearer")
    assert {op: answer for op, answer in answers.items() if answer != refused} == {}


def test_health_and_readiness_need_no_token(anonymous: TestClient) -> None:
    paths = {p for _m, p in _operations(anonymous)}
    assert paths >= UNPROTECTED
    for path in sorted(UNPROTECTED):
        assert anonymous.get(path).status_code == 200


def test_the_openapi_document_declares_the_bearer_scheme_on_every_api_operation(
    client: TestClient,
) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    schemes = document["components"]["securitySchemes"]
    bearer_schemes = {
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer"
    }
    assert bearer_schemes
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
        if not any(
            set(requirement) & bearer_schemes for requirement in operation.get("security", [])
        )
    ]
    assert undeclared == []


def test_a_malformed_json_body_without_a_token_gets_401_not_422(anonymous: TestClient) -> None:
    response = anonymous.post(
        f"{API}/families", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_bare_401(response)


def test_an_invalid_body_without_a_token_gets_401_not_422(anonymous: TestClient) -> None:
    response = anonymous.post(f"{API}/families", json={"members": "not a list"})
    assert_bare_401(response)


# --- good tokens -----------------------------------------------------------------------------


def test_a_token_naming_the_practitioner_by_id_reads_their_family(
    client: TestClient, family_url: str, staff: Staff
) -> None:
    assert client.get(family_url, headers={"Authorization": bearer(staff.lead)}).status_code == 200


def test_a_token_naming_the_practitioner_by_email_works_as_well_as_by_id(
    client: TestClient, family_url: str, staff: Staff
) -> None:
    by_email = client.get(
        family_url,
        headers={"Authorization": bearer(staff.lead, subject="lead@council.example")},
    )
    by_id = client.get(family_url, headers={"Authorization": bearer(staff.lead)})
    assert by_email.status_code == by_id.status_code == 200
    assert by_email.json() == by_id.json()


def test_the_email_subject_is_matched_whatever_its_case(
    client: TestClient, family_url: str, staff: Staff
) -> None:
    response = client.get(
        family_url,
        headers={"Authorization": bearer(staff.lead, subject="Lead@Council.Example")},
    )
    assert response.status_code == 200


def test_an_independently_forged_token_with_the_right_secret_is_accepted(
    client: TestClient, family_url: str, staff: Staff
) -> None:
    """The forging below is right: only the part each attack changes makes it fail."""
    token = forge_hs256(valid_claims(str(staff.lead)))
    assert client.get(family_url, headers={"Authorization": f"Bearer {token}"}).status_code == 200


# --- attacks ---------------------------------------------------------------------------------


def _rsa_signed(claims: Mapping[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return compact(
        {"alg": "RS256", "typ": "JWT", "kid": "attacker"},
        claims,
        lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA256()),
    )


def _tampered(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{b64u(json.dumps(claims).encode())}.{signature}"


ATTACKS: dict[str, Callable[[Staff], str]] = {
    "alg none": lambda s: (
        "Bearer "
        + compact({"alg": "none", "typ": "JWT"}, valid_claims(str(s.lead)), lambda _m: b"")
    ),
    "alg None, signed anyway": lambda s: (
        "Bearer "
        + compact({"alg": "None", "typ": "JWT"}, valid_claims(str(s.lead)), hs256(DEV_TOKEN_SECRET))
    ),
    "HS256 signed with another secret": lambda s: (
        "Bearer "
        + forge_hs256(valid_claims(str(s.lead)), secret="another-secret-that-is-long-enough-0123")
    ),
    "RS256 header when only HS256 is pinned": lambda s: (
        "Bearer " + _rsa_signed(valid_claims(str(s.lead)))
    ),
    "HS256 header with a garbage signature": lambda s: (
        "Bearer "
        + compact(
            {"alg": "HS256", "typ": "JWT"},
            valid_claims(str(s.lead)),
            lambda _m: secrets.token_bytes(32),
        )
    ),
    "HS512 signed with the right secret (not pinned)": lambda s: (
        "Bearer "
        + compact(
            {"alg": "HS512", "typ": "JWT"},
            valid_claims(str(s.lead)),
            lambda m: hmac.new(DEV_TOKEN_SECRET.encode(), m, hashlib.sha512).digest(),
        )
    ),
    "expired": lambda s: bearer(
        s.lead, now=real_now() - timedelta(hours=3), lifetime=timedelta(hours=1)
    ),
    "not yet valid": lambda s: (
        "Bearer "
        + forge_hs256(
            valid_claims(
                str(s.lead),
                nbf=int((real_now() + timedelta(hours=1)).timestamp()),
                exp=int((real_now() + timedelta(hours=2)).timestamp()),
            )
        )
    ),
    "no expiry": lambda s: (
        "Bearer " + forge_hs256({k: v for k, v in valid_claims(str(s.lead)).items() if k != "exp"})
    ),
    "wrong audience": lambda s: bearer(s.lead, audience="another-service"),
    "wrong issuer": lambda s: bearer(s.lead, issuer="https://evil.example"),
    "unknown subject id": lambda _s: bearer(uuid.uuid4()),
    "unknown subject email": lambda s: bearer(s.lead, subject="nobody@council.example"),
    "tampered payload (sub changed, signature kept)": lambda s: (
        "Bearer " + _tampered(bearer(s.lead).removeprefix("Bearer "), sub=str(s.manager))
    ),
    "tampered payload (expiry extended, signature kept)": lambda s: (
        "Bearer "
        + _tampered(
            bearer(s.lead, now=real_now() - timedelta(hours=3)).removeprefix("Bearer "),
            exp=int((real_now() + timedelta(hours=1)).timestamp()),
        )
    ),
    "scheme without a token": lambda _s: "Bearer",
    "scheme with blanks only": lambda _s: "Bearer    ",
    "basic credentials": lambda _s: "Basic x",
    "basic credentials carrying a good token": lambda s: (
        "Basic " + bearer(s.lead).removeprefix("Bearer ")
    ),
    "garbage": lambda _s: "garbage",
    "garbage token": lambda _s: "Bearer not-a-jwt",
    "three garbage segments": lambda _s: "Bearer a.b.c",
    "an oversized token": lambda s: bearer(s.lead) + "A" * 20_000,
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_bad_token_gets_a_bare_401(
    client: TestClient, family_url: str, staff: Staff, attack: str
) -> None:
    response = client.get(family_url, headers={"Authorization": ATTACKS[attack](staff)})
    assert_bare_401(response)


@pytest.mark.parametrize("attack", ["expired", "tampered payload (sub changed, signature kept)"])
def test_a_bad_token_cannot_write_either(
    client: TestClient, family_url: str, staff: Staff, attack: str
) -> None:
    response = client.patch(
        family_url,
        headers={"Authorization": ATTACKS[attack](staff), "If-Match": '"1"'},
        json={"address": {"line1": "1 Stolen Road", "postcode": "FY1 1AA"}},
    )
    assert_bare_401(response)
    assert client.get(family_url).json()["address"]["line1"] == "12 Cedar Road"


def test_a_deactivated_practitioner_is_refused_at_once(
    client: TestClient, family_url: str, new_uow: Any, staff: Staff
) -> None:
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    token = bearer(staff.lead)
    assert client.get(family_url, headers={"Authorization": token}).status_code == 200
    with as_user(client, admin):
        url = f"{API}/practitioners/{staff.lead}"
        etag = client.get(url).headers["ETag"]
        deactivated = client.patch(url, json={"active": False}, headers={"If-Match": etag})
        assert deactivated.status_code == 200, deactivated.text
    assert_bare_401(client.get(family_url, headers={"Authorization": token}))
    assert_bare_401(
        client.get(
            family_url,
            headers={"Authorization": bearer(staff.lead, subject="lead@council.example")},
        )
    )


class FakeMonotonic:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_deactivation_made_by_another_worker_applies_once_the_remembered_principal_expires(
    client: TestClient, family_url: str, new_uow: Any, clock: Any, staff: Staff
) -> None:
    time = FakeMonotonic()
    client.app.state.principal_cache = PrincipalCache(10, monotonic=time)  # type: ignore[attr-defined]
    assert client.get(family_url).status_code == 200
    # Another worker process deactivates the lead: this worker's cache is not told.
    with new_uow() as uow:
        version = uow.practitioners.get(staff.lead).version
    admin = Principal(
        practitioner_id=uuid.uuid4(), agency_code="COUNCIL_EH", roles=frozenset({Role.ADMIN})
    )
    practitioners.update_practitioner(
        new_uow(), clock, Actor(admin), staff.lead, {"active": False}, expected_version=version
    )
    time.seconds += 9.9
    assert client.get(family_url).status_code == 200
    time.seconds += 0.1
    assert_bare_401(client.get(family_url))


def test_a_worker_remembers_a_principal_for_its_time_only_and_holds_a_bounded_number() -> None:
    time = FakeMonotonic()
    cache = PrincipalCache(10, max_entries=2, monotonic=time)
    principals = {
        name: Principal(practitioner_id=uuid.uuid4(), agency_code="LA", roles=frozenset())
        for name in ("a", "b", "c")
    }
    for name, principal in principals.items():
        cache.put(name, principal)
    assert cache.get("a") is None  # the oldest gave way to the third
    assert cache.get("b") == principals["b"]
    assert cache.get("c") == principals["c"]
    time.seconds += 10
    assert cache.get("b") is None
    assert cache.get("c") is None
    switched_off = PrincipalCache(0)
    switched_off.put("a", principals["a"])
    assert switched_off.get("a") is None


def test_every_token_problem_gets_the_same_answer(
    client: TestClient, family_url: str, staff: Staff
) -> None:
    """A bad signature, a bad claim and an unknown subject look the same from outside."""

    def shape(response: Any) -> tuple[int, str | None, str | None, dict[str, Any]]:
        body = response.json()
        body["request_id"] = "<varies>" if "request_id" in body else None
        return (
            response.status_code,
            response.headers.get("content-type"),
            response.headers.get("www-authenticate"),
            body,
        )

    answers = {
        attack: shape(client.get(family_url, headers={"Authorization": ATTACKS[attack](staff)}))
        for attack in ("HS256 signed with another secret", "expired", "unknown subject id")
    }
    bad_signature = answers.pop("HS256 signed with another secret")
    assert answers == {"expired": bad_signature, "unknown subject id": bad_signature}
