"""Bearer tokens: the only module that touches JWTs (and `jose`), so the checks live in one place.

The verifier trusts nothing in a token until its signature is checked with a key *we* chose:
the algorithm must be one of the pinned ones, HMAC algorithms only ever use the configured secret
and RSA/EC algorithms only ever use a key from the JWKS picked by `kid` whose type and curve fit
the algorithm, so a token cannot pick its own key type (algorithm confusion). Times are checked
here against the injected clock, not by jose, which would read the wall clock; every token must
say when it was issued (`iat`) and is refused once older than the maximum age, whatever its `exp`.

Every rejection raises `TokenRejected` with a reason for the logs; the HTTP answer is always the
same bare 401 (`unauthorized()`), which tells an attacker nothing about what failed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import HTTPException
from jose import jwk, jwt
from jose.exceptions import JOSEError

log = logging.getLogger("familyhub.security")

HS256 = "HS256"
_KEY_TYPES = {
    HS256: "oct",
    "RS256": "RSA",
    "RS384": "RSA",
    "RS512": "RSA",
    "ES256": "EC",
    "ES384": "EC",
    "ES512": "EC",
}
"""The algorithms we accept at all, and the key type each must be verified with."""
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
_PUBLIC_MEMBERS = {"RSA": ("kty", "n", "e"), "EC": ("kty", "crv", "x", "y")}

MIN_HS256_SECRET_CHARS = 32
MIN_RSA_BITS = 2048
DEFAULT_MAX_TOKEN_AGE_SECONDS = 12 * 3600
"""A token issued longer ago than this is refused whatever its `exp` says: a leaked token, or one
forged with a known secret and a far-off expiry, stops working within a working day."""
MAX_TOKEN_CHARS = 16_384
"""Longer "tokens" are refused before any parsing."""
UNKNOWN_KID_COOLDOWN = timedelta(seconds=10)
JWKS_CACHE_SECONDS = 300
MAX_REMEMBERED_TOKENS = 1024
"""Verified tokens remembered per verifier; the least recently used is forgotten first."""
"""An unknown `kid` refetches the JWKS at most this often, so random kids cannot flood the IdP."""
REGISTERED_CLAIMS = frozenset({"iss", "aud", "sub", "exp", "nbf", "iat"})

# Signature only: every claim is checked below against the injected clock and the settings.
_DECODE_OPTIONS = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
    "verify_at_hash": False,
}

Fetch = Callable[[str], Mapping[str, Any]]


class TokenRejected(Exception):
    """The token is not acceptable. The reason is for logs only, never for the response."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TokenSettings:
    """What a valid token looks like here; refused at start-up if it could not be enforced."""

    algorithms: tuple[str, ...]
    """Pinned: ("HS256",) locally, ("RS256", "ES256") against the council's identity provider."""
    issuer: str
    audience: str
    hs256_secret: str | None = None
    jwks_path: str | None = None
    jwks_url: str | None = None
    leeway_seconds: int = 30
    max_token_age_seconds: int = DEFAULT_MAX_TOKEN_AGE_SECONDS
    """Measured from `iat`, which every token must carry."""
    jwks_cache_seconds: int = JWKS_CACHE_SECONDS
    remember_verified_seconds: float = 0
    """How long a token whose signature checked out is remembered, so the same token's next
    requests skip the signature check (a third of the token middleware's CPU). Its issuer,
    audience, expiry and not-before are still checked on every request. 0: never remembered.
    Never more than the JWKS cache time, so a key withdrawn from the JWKS stops being trusted no
    later than it would have without this."""

    def __post_init__(self) -> None:
        if not self.algorithms:
            raise ValueError("Pin at least one token algorithm.")
        unsupported = [a for a in self.algorithms if a not in _KEY_TYPES]
        if unsupported:
            raise ValueError(f"Unsupported token algorithms: {unsupported}.")
        if not self.issuer.strip() or not self.audience.strip():
            raise ValueError("Tokens need an expected issuer and audience.")
        if HS256 in self.algorithms and (
            self.hs256_secret is None or len(self.hs256_secret) < MIN_HS256_SECRET_CHARS
        ):
            raise ValueError(f"HS256 needs a secret of at least {MIN_HS256_SECRET_CHARS} chars.")
        if any(a != HS256 for a in self.algorithms):
            if (self.jwks_path is None) == (self.jwks_url is None):
                raise ValueError("RS/ES algorithms need exactly one of jwks_path and jwks_url.")
            if self.jwks_url is not None and not _trusted_url(self.jwks_url):
                raise ValueError("The JWKS URL must use https (http only for localhost).")
        if not 0 <= self.leeway_seconds <= 300:
            raise ValueError("The leeway must be between 0 and 300 seconds.")
        if self.max_token_age_seconds <= 0:
            raise ValueError("The maximum token age must be positive.")
        if self.jwks_cache_seconds <= 0:
            raise ValueError("The JWKS cache time must be positive.")
        if not 0 <= self.remember_verified_seconds <= self.jwks_cache_seconds:
            raise ValueError("Verified tokens may be remembered for 0 up to the JWKS cache time.")


def _trusted_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Claims:
    subject: str
    issued_at: datetime
    expires_at: datetime
    raw: Mapping[str, Any]


def fetch_jwks(url: str) -> Mapping[str, Any]:
    """The default JWKS fetch: a short timeout and no redirects to somewhere else."""
    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    document: Mapping[str, Any] = response.json()
    return document


class TokenVerifier:
    """Verifies bearer tokens against `TokenSettings`; safe to share between threads."""

    def __init__(
        self,
        settings: TokenSettings,
        *,
        now: Callable[[], datetime],
        fetch: Fetch | None = None,
    ) -> None:
        self._settings = settings
        self._now = now
        self._fetch = fetch or fetch_jwks
        self._lock = threading.Lock()
        self._keys: dict[str, Mapping[str, Any]] | None = None
        self._loaded_at: datetime | None = None
        self._forced_at: datetime | None = None
        # sha256 of the token → (its claims, remembered until): no bearer token is kept in memory.
        self._verified: OrderedDict[bytes, tuple[Mapping[str, Any], datetime]] = OrderedDict()
        self._verified_lock = threading.Lock()

    def verify(self, token: str) -> Claims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            raise TokenRejected("empty or oversized token")
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        remembered = self._remembered(digest)
        if remembered is not None:
            return self._check_claims(remembered)
        claims = self._verify_signature(token)
        checked = self._check_claims(claims)
        self._remember(digest, claims)
        return checked

    def _verify_signature(self, token: str) -> Mapping[str, Any]:
        if token.count(".") != 2:
            raise TokenRejected("not a compact JWS")
        try:
            header = jwt.get_unverified_header(token)
        except (JOSEError, ValueError, TypeError) as exc:
            raise TokenRejected("unreadable header") from exc
        if not isinstance(header, Mapping):
            raise TokenRejected("unreadable header")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._settings.algorithms:
            raise TokenRejected(f"algorithm {str(alg)[:16]!r} is not pinned")
        if "crit" in header:
            raise TokenRejected("critical header extensions are not supported")
        key = self._key_for(alg, header)
        try:
            claims = jwt.decode(token, key, algorithms=[alg], options=_DECODE_OPTIONS)
        except (JOSEError, ValueError, TypeError) as exc:
            raise TokenRejected("bad signature or malformed token") from exc
        if not isinstance(claims, Mapping):
            raise TokenRejected("the payload is not a JSON object")
        return claims

    # --- verified tokens ------------------------------------------------------------------------

    def _remembered(self, digest: bytes) -> Mapping[str, Any] | None:
        if self._settings.remember_verified_seconds <= 0:
            return None
        now = self._aware_now()
        with self._verified_lock:
            found = self._verified.get(digest)
            if found is None:
                return None
            claims, until = found
            if now >= until:
                del self._verified[digest]
                return None
            self._verified.move_to_end(digest)
            return claims

    def _remember(self, digest: bytes, claims: Mapping[str, Any]) -> None:
        seconds = self._settings.remember_verified_seconds
        if seconds <= 0:
            return
        until = self._aware_now() + timedelta(seconds=seconds)
        with self._verified_lock:
            self._verified[digest] = (claims, until)
            self._verified.move_to_end(digest)
            while len(self._verified) > MAX_REMEMBERED_TOKENS:
                self._verified.popitem(last=False)

    # --- keys ---------------------------------------------------------------------------------

    def _key_for(self, alg: str, header: Mapping[str, Any]) -> Any:
        """The key for `alg`, chosen by us: the secret for HS256, a JWKS key of the right type."""
        if alg == HS256:
            return jwk.construct(self._settings.hs256_secret, HS256)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("no kid in the header")
        found = self._jwks_key(kid)
        kty = _KEY_TYPES[alg]
        if found.get("kty") != kty:
            raise TokenRejected(f"key type does not fit {alg}")
        if found.get("alg") not in (None, alg):
            raise TokenRejected(f"the key is not for {alg}")
        if found.get("use") not in (None, "sig"):
            raise TokenRejected("the key is not a signing key")
        if kty == "EC" and found.get("crv") != _EC_CURVES[alg]:
            raise TokenRejected(f"curve does not fit {alg}")
        if kty == "RSA" and _rsa_bits(found.get("n")) < MIN_RSA_BITS:
            raise TokenRejected("RSA key too short")
        public = {name: found.get(name) for name in _PUBLIC_MEMBERS[kty]}
        try:
            return jwk.construct(public, alg)
        except (JOSEError, ValueError, TypeError, KeyError) as exc:
            raise TokenRejected("unusable key in the JWKS") from exc

    def _jwks_key(self, kid: str) -> Mapping[str, Any]:
        """From the cache; reloaded when stale, and refetched once (rate-limited) for a new kid."""
        with self._lock:
            now = self._aware_now()
            refreshed = False
            if (
                self._keys is None
                or self._loaded_at is None
                or now - self._loaded_at >= timedelta(seconds=self._settings.jwks_cache_seconds)
            ):
                self._refresh(now)
                refreshed = True
            found = (self._keys or {}).get(kid)
            may_force = self._forced_at is None or now - self._forced_at >= UNKNOWN_KID_COOLDOWN
            if found is None and not refreshed and may_force:
                self._forced_at = now
                self._refresh(now)
                found = (self._keys or {}).get(kid)
            if found is None:
                raise TokenRejected("unknown kid")
            return found

    def _refresh(self, now: datetime) -> None:
        try:
            keys = _index_jwks(self._load_document())
        except Exception as exc:
            log.warning("JWKS refresh failed: %s", type(exc).__name__)
            if self._keys is None:
                raise TokenRejected("JWKS unavailable") from exc
            # Keep the keys we have and try again after another cache period.
            self._loaded_at = now
            return
        self._keys = keys
        self._loaded_at = now

    def _load_document(self) -> Mapping[str, Any]:
        settings = self._settings
        if settings.jwks_path is not None:
            document: Mapping[str, Any] = json.loads(
                Path(settings.jwks_path).read_text(encoding="utf-8")
            )
            return document
        if settings.jwks_url is None:
            raise TokenRejected("no JWKS configured")
        return self._fetch(settings.jwks_url)

    # --- claims -------------------------------------------------------------------------------

    def _aware_now(self) -> datetime:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("The clock must give timezone-aware instants.")
        return now

    def _check_claims(self, claims: Mapping[str, Any]) -> Claims:
        settings = self._settings
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise TokenRejected("no subject")
        if claims.get("iss") != settings.issuer:
            raise TokenRejected("wrong issuer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or settings.audience not in audiences:
            raise TokenRejected("wrong audience")
        expires_at = _instant(claims, "exp")
        if expires_at is None:
            raise TokenRejected("no expiry")
        issued_at = _instant(claims, "iat")
        if issued_at is None:
            raise TokenRejected("no issued-at")
        not_before = _instant(claims, "nbf")
        now = self._aware_now()
        leeway = timedelta(seconds=settings.leeway_seconds)
        if now >= expires_at + leeway:
            raise TokenRejected("expired")
        if not_before is not None and now < not_before - leeway:
            raise TokenRejected("not yet valid")
        if issued_at > now + leeway:
            raise TokenRejected("issued in the future")
        if now >= issued_at + timedelta(seconds=settings.max_token_age_seconds) + leeway:
            raise TokenRejected("too old")
        return Claims(
            subject=subject,
            issued_at=issued_at,
            expires_at=expires_at,
            raw=MappingProxyType(dict(claims)),
        )


def _instant(claims: Mapping[str, Any], name: str) -> datetime | None:
    """A NumericDate claim as an aware datetime; anything but a finite number is refused."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenRejected(f"{name} is not a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TokenRejected(f"{name} is out of range") from exc


def _index_jwks(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Keys by kid; keys without a kid, and kids that appear twice (ambiguous), are left out."""
    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        raise ValueError("a JWKS needs a 'keys' list")
    indexed: dict[str, Mapping[str, Any]] = {}
    duplicated: set[str] = set()
    for key in keys:
        if not isinstance(key, Mapping):
            continue
        kid = key.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        if kid in indexed:
            duplicated.add(kid)
        indexed[kid] = key
    for kid in duplicated:
        del indexed[kid]
    return indexed


def _rsa_bits(modulus: object) -> int:
    if not isinstance(modulus, str):
        return 0
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except ValueError:
        return 0
    return int.from_bytes(raw, "big").bit_length()


def issue_local_token(
    *,
    subject: str,
    secret: str,
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta = timedelta(hours=8),
    extra: Mapping[str, Any] | None = None,
) -> str:
    """An HS256 token for local use (`familyhub token --user`); production uses the IdP's tokens."""
    if len(secret) < MIN_HS256_SECRET_CHARS:
        raise ValueError(f"The secret must have at least {MIN_HS256_SECRET_CHARS} characters.")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware.")
    if lifetime <= timedelta(0):
        raise ValueError("The lifetime must be positive.")
    if not subject.strip():
        raise ValueError("The token needs a subject.")
    claims = dict(extra or {})
    clash = REGISTERED_CLAIMS & claims.keys()
    if clash:
        raise ValueError(f"`extra` may not set {sorted(clash)}.")
    issued = math.floor(now.timestamp())
    claims.update(
        iss=issuer,
        aud=audience,
        sub=subject,
        iat=issued,
        nbf=issued,
        exp=issued + math.floor(lifetime.total_seconds()),
    )
    token: str = jwt.encode(claims, secret, algorithm=HS256)
    return token


def sole_authorization(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The value of the request's one `Authorization` header (None without one).

    Two or more are refused whatever they say, even two copies of a good token: servers, proxies
    and frameworks disagree on which of them counts, so the token checked here might not be the
    one a proxy in front logged or the one a later layer reads.
    """
    values = [value for name, value in headers if name.lower() == b"authorization"]
    if len(values) > 1:
        raise TokenRejected("more than one Authorization header")
    return values[0].decode("latin-1") if values else None


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer …` header."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise TokenRejected("no bearer token")
    return credentials.strip()


def unauthorized() -> HTTPException:
    """The one answer to every authentication failure: 401, no reason, a Bearer challenge."""
    return HTTPException(
        status_code=401,
        detail="Authentication required.",
        headers={"WWW-Authenticate": "Bearer"},
    )
