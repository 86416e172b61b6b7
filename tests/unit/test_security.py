"""Bearer token verification: the attacks that must fail and the tokens that must pass.

Tokens are signed here with `cryptography` and `hmac` directly, independently of the code under
test, so a bug in how the verifier uses jose cannot hide behind the same bug in the signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from app.api.security import (
    MAX_TOKEN_CHARS,
    TokenRejected,
    TokenSettings,
    TokenVerifier,
    bearer_token,
    issue_local_token,
    unauthorized,
)

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
ISSUER = "https://idp.example.gov.uk/realms/council"
AUDIENCE = "familyhub"
SECRET = "a-local-development-secret-of-40-chars!!"
LEEWAY = 30

Signer = Callable[[bytes], bytes]


# --- signing, independent of the code under test -------------------------------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(value: int, size: int | None = None) -> str:
    size = size or (value.bit_length() + 7) // 8
    return b64u(value.to_bytes(size, "big"))


def compact(header: Mapping[str, Any], payload: Mapping[str, Any] | bytes, sign: Signer) -> str:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64u(json.dumps(header).encode())}.{b64u(body)}"
    return f"{signing_input}.{b64u(sign(signing_input.encode()))}"


def rs(key: rsa.RSAPrivateKey, digest: hashes.HashAlgorithm | None = None) -> Signer:
    return lambda message: key.sign(message, padding.PKCS1v15(), digest or hashes.SHA256())


def es(key: ec.EllipticCurvePrivateKey, digest: hashes.HashAlgorithm, size: int) -> Signer:
    def sign(message: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(digest)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    return sign


def hs(secret: bytes) -> Signer:
    return lambda message: hmac.new(secret, message, hashlib.sha256).digest()


def rsa_jwk(key: rsa.RSAPrivateKey, kid: str, **extra: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "n": uint(numbers.n), "e": uint(numbers.e), **extra}


def ec_jwk(key: ec.EllipticCurvePrivateKey, kid: str, crv: str, size: int) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "kid": kid,
        "crv": crv,
        "x": uint(numbers.x, size),
        "y": uint(numbers.y, size),
    }


def ts(instant: datetime) -> int:
    return int(instant.timestamp())


def claims(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sub": "practitioner-42",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": ts(NOW),
        "nbf": ts(NOW),
        "exp": ts(NOW + timedelta(hours=1)),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not DROP}


DROP: Any = object()


@dataclass
class Clock:
    instant: datetime = NOW

    def __call__(self) -> datetime:
        return self.instant


@dataclass
class Keys:
    rsa_key: rsa.RSAPrivateKey
    other_rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    ec384_key: ec.EllipticCurvePrivateKey

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                rsa_jwk(self.rsa_key, "rsa-1", use="sig", alg="RS256"),
                ec_jwk(self.ec_key, "ec-1", "P-256", 32),
                ec_jwk(self.ec384_key, "ec384-1", "P-384", 48),
                rsa_jwk(self.rsa_key, "rsa-enc", use="enc"),
                rsa_jwk(self.rsa_key, "rsa-384-only", alg="RS384"),
            ]
        }

    def public_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        other_rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec_key=ec.generate_private_key(ec.SECP256R1()),
        ec384_key=ec.generate_private_key(ec.SECP384R1()),
    )


@pytest.fixture
def jwks_file(tmp_path: Path, keys: Keys) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(keys.jwks()), encoding="utf-8")
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


def asymmetric(jwks_file: Path, **overrides: Any) -> TokenSettings:
    fields: dict[str, Any] = {
        "algorithms": ("RS256", "ES256"),
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks_path": str(jwks_file),
        "leeway_seconds": LEEWAY,
    }
    fields.update(overrides)
    return TokenSettings(**fields)


def local(**overrides: Any) -> TokenSettings:
    fields: dict[str, Any] = {
        "algorithms": ("HS256",),
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "hs256_secret": SECRET,
        "leeway_seconds": LEEWAY,
    }
    fields.update(overrides)
    return TokenSettings(**fields)


@pytest.fixture
def verifier(jwks_file: Path, clock: Clock) -> TokenVerifier:
    return TokenVerifier(asymmetric(jwks_file), now=clock)


@pytest.fixture
def local_verifier(clock: Clock) -> TokenVerifier:
    return TokenVerifier(local(), now=clock)


def rs256(keys: Keys, payload: Mapping[str, Any] | bytes, kid: str = "rsa-1") -> str:
    return compact({"alg": "RS256", "typ": "JWT", "kid": kid}, payload, rs(keys.rsa_key))


# --- tokens that pass ----------------------------------------------------------------------------


class TestValidTokens:
    def test_rs256(self, verifier: TokenVerifier, keys: Keys) -> None:
        verified = verifier.verify(rs256(keys, claims()))
        assert verified.subject == "practitioner-42"
        assert verified.issued_at == NOW
        assert verified.expires_at == NOW + timedelta(hours=1)
        assert verified.raw["aud"] == AUDIENCE

    def test_es256(self, verifier: TokenVerifier, keys: Keys) -> None:
        token = compact(
            {"alg": "ES256", "kid": "ec-1"}, claims(), es(keys.ec_key, hashes.SHA256(), 32)
        )
        assert verifier.verify(token).subject == "practitioner-42"

    def test_hs256_signed_independently(self, local_verifier: TokenVerifier) -> None:
        token = compact({"alg": "HS256"}, claims(), hs(SECRET.encode()))
        assert local_verifier.verify(token).subject == "practitioner-42"

    def test_hs256_issued_locally(self, local_verifier: TokenVerifier) -> None:
        token = issue_local_token(
            subject="practitioner-7",
            secret=SECRET,
            issuer=ISSUER,
            audience=AUDIENCE,
            now=NOW,
            extra={"roles": ["manager"]},
        )
        verified = local_verifier.verify(token)
        assert verified.subject == "practitioner-7"
        assert verified.expires_at == NOW + timedelta(hours=8)
        assert verified.raw["roles"] == ["manager"]

    def test_an_audience_list_containing_ours(self, verifier: TokenVerifier, keys: Keys) -> None:
        token = rs256(keys, claims(aud=["other-service", AUDIENCE]))
        assert verifier.verify(token).subject == "practitioner-42"

    def test_nbf_is_optional(self, verifier: TokenVerifier, keys: Keys) -> None:
        verified = verifier.verify(rs256(keys, claims(nbf=DROP)))
        assert verified.issued_at == NOW

    def test_the_raw_claims_cannot_be_changed(self, verifier: TokenVerifier, keys: Keys) -> None:
        raw = verifier.verify(rs256(keys, claims())).raw
        with pytest.raises(TypeError):
            raw["sub"] = "someone-else"  # type: ignore[index]


# --- attacks and mistakes that fail --------------------------------------------------------------


class TestRejectedTokens:
    @pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
    def test_alg_none(
        self, verifier: TokenVerifier, local_verifier: TokenVerifier, alg: str
    ) -> None:
        token = compact({"alg": alg, "kid": "rsa-1"}, claims(), lambda _m: b"")
        for target in (verifier, local_verifier):
            with pytest.raises(TokenRejected, match="not pinned"):
                target.verify(token)

    def test_hs256_signed_with_the_public_key_while_rs256_is_pinned(
        self, verifier: TokenVerifier, keys: Keys
    ) -> None:
        token = compact({"alg": "HS256", "kid": "rsa-1"}, claims(), hs(keys.public_pem()))
        with pytest.raises(TokenRejected, match="not pinned"):
            verifier.verify(token)

    def test_hs256_signed_with_the_public_key_when_both_kinds_are_pinned(
        self, jwks_file: Path, clock: Clock, keys: Keys
    ) -> None:
        both = asymmetric(jwks_file, algorithms=("RS256", "HS256"), hs256_secret=SECRET)
        token = compact({"alg": "HS256", "kid": "rsa-1"}, claims(), hs(keys.public_pem()))
        with pytest.raises(TokenRejected, match="signature"):
            TokenVerifier(both, now=clock).verify(token)

    def test_an_rs256_token_naming_an_ec_key(self, verifier: TokenVerifier, keys: Keys) -> None:
        with pytest.raises(TokenRejected, match="key type"):
            verifier.verify(rs256(keys, claims(), kid="ec-1"))

    def test_an_es256_token_naming_a_p384_key(self, verifier: TokenVerifier, keys: Keys) -> None:
        token = compact(
            {"alg": "ES256", "kid": "ec384-1"}, claims(), es(keys.ec384_key, hashes.SHA256(), 48)
        )
        with pytest.raises(TokenRejected, match="curve"):
            verifier.verify(token)

    def test_an_algorithm_that_is_supported_but_not_pinned(
        self, verifier: TokenVerifier, keys: Keys
    ) -> None:
        token = compact(
            {"alg": "RS512", "kid": "rsa-1"}, claims(), rs(keys.rsa_key, hashes.SHA512())
        )
        with pytest.raises(TokenRejected, match="not pinned"):
            verifier.verify(token)

    def test_a_key_declared_for_another_algorithm(
        self, verifier: TokenVerifier, keys: Keys
    ) -> None:
        with pytest.raises(TokenRejected, match="not for RS256"):
            verifier.verify(rs256(keys, claims(), kid="rsa-384-only"))

    def test_an_encryption_key(self, verifier: TokenVerifier, keys: Keys) -> None:
        with pytest.raises(TokenRejected, match="signing key"):
            verifier.verify(rs256(keys, claims(), kid="rsa-enc"))

    def test_a_bad_signature(self, verifier: TokenVerifier, keys: Keys) -> None:
        forged = compact({"alg": "RS256", "kid": "rsa-1"}, claims(), rs(keys.other_rsa_key))
        with pytest.raises(TokenRejected, match="signature"):
            verifier.verify(forged)

    def test_a_tampered_payload(self, verifier: TokenVerifier, keys: Keys) -> None:
        header, _payload, signature = rs256(keys, claims()).split(".")
        swapped = b64u(json.dumps(claims(sub="practitioner-1")).encode())
        with pytest.raises(TokenRejected, match="signature"):
            verifier.verify(f"{header}.{swapped}.{signature}")

    def test_a_tampered_hs256_payload(self, local_verifier: TokenVerifier) -> None:
        token = issue_local_token(
            subject="a", secret=SECRET, issuer=ISSUER, audience=AUDIENCE, now=NOW
        )
        header, _payload, signature = token.split(".")
        swapped = b64u(json.dumps(claims(sub="b")).encode())
        with pytest.raises(TokenRejected, match="signature"):
            local_verifier.verify(f"{header}.{swapped}.{signature}")

    def test_an_hs256_token_with_another_secret(self, local_verifier: TokenVerifier) -> None:
        token = compact({"alg": "HS256"}, claims(), hs(b"x" * 40))
        with pytest.raises(TokenRejected, match="signature"):
            local_verifier.verify(token)

    def test_an_unknown_kid(self, verifier: TokenVerifier, keys: Keys) -> None:
        with pytest.raises(TokenRejected, match="unknown kid"):
            verifier.verify(rs256(keys, claims(), kid="who-knows"))

    def test_no_kid(self, verifier: TokenVerifier, keys: Keys) -> None:
        token = compact({"alg": "RS256"}, claims(), rs(keys.rsa_key))
        with pytest.raises(TokenRejected, match="no kid"):
            verifier.verify(token)

    def test_a_critical_header_extension(self, verifier: TokenVerifier, keys: Keys) -> None:
        header = {"alg": "RS256", "kid": "rsa-1", "crit": ["b64"], "b64": False}
        with pytest.raises(TokenRejected, match="critical"):
            verifier.verify(compact(header, claims(), rs(keys.rsa_key)))

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"aud": "another-service"}, "audience"),
            ({"aud": ["another-service"]}, "audience"),
            ({"aud": DROP}, "audience"),
            ({"iss": "https://evil.example"}, "issuer"),
            ({"iss": DROP}, "issuer"),
            ({"sub": DROP}, "subject"),
            ({"sub": "  "}, "subject"),
            ({"sub": 42}, "subject"),
            ({"exp": DROP}, "expiry"),
            ({"iat": DROP}, "issued-at"),
            ({"iat": "yesterday"}, "not a number"),
            ({"exp": "tomorrow"}, "not a number"),
            ({"exp": True}, "not a number"),
            ({"exp": 10**20}, "out of range"),
            ({"nbf": "now"}, "not a number"),
        ],
    )
    def test_bad_claims(
        self, verifier: TokenVerifier, keys: Keys, overrides: dict[str, Any], reason: str
    ) -> None:
        with pytest.raises(TokenRejected, match=reason):
            verifier.verify(rs256(keys, claims(**overrides)))

    def test_a_payload_that_is_not_an_object(self, verifier: TokenVerifier, keys: Keys) -> None:
        with pytest.raises(TokenRejected):
            verifier.verify(rs256(keys, b"[1, 2, 3]"))

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "abc",
            "a.b",
            "a.b.c",
            "a.b.c.d",
            "e30.e30.",
            "x" * (MAX_TOKEN_CHARS + 1),
            "a.b.\udcff",  # a lone surrogate: refused, not an encoding error
        ],
    )
    def test_malformed_tokens(self, verifier: TokenVerifier, token: str) -> None:
        with pytest.raises(TokenRejected):
            verifier.verify(token)


class TestTimes:
    def test_expired(self, verifier: TokenVerifier, keys: Keys) -> None:
        token = rs256(keys, claims(iat=ts(NOW - timedelta(hours=2)), nbf=DROP, exp=ts(NOW)))
        verifier.verify(token)  # within the leeway
        with pytest.raises(TokenRejected, match="expired"):
            verifier.verify(rs256(keys, claims(exp=ts(NOW) - LEEWAY - 1)))

    @pytest.mark.parametrize(
        ("seconds_after_exp", "accepted"),
        [(LEEWAY - 1, True), (LEEWAY, False), (LEEWAY + 1, False)],
    )
    def test_the_expiry_leeway_boundary(
        self,
        verifier: TokenVerifier,
        keys: Keys,
        clock: Clock,
        seconds_after_exp: int,
        accepted: bool,
    ) -> None:
        token = rs256(keys, claims(exp=ts(NOW)))
        clock.instant = NOW + timedelta(seconds=seconds_after_exp)
        if accepted:
            verifier.verify(token)
        else:
            with pytest.raises(TokenRejected, match="expired"):
                verifier.verify(token)

    @pytest.mark.parametrize(
        ("nbf_after_now", "accepted"),
        [(LEEWAY - 1, True), (LEEWAY, True), (LEEWAY + 1, False), (3600, False)],
    )
    def test_not_yet_valid_with_the_leeway(
        self, verifier: TokenVerifier, keys: Keys, nbf_after_now: int, accepted: bool
    ) -> None:
        token = rs256(keys, claims(nbf=ts(NOW) + nbf_after_now))
        if accepted:
            verifier.verify(token)
        else:
            with pytest.raises(TokenRejected, match="not yet valid"):
                verifier.verify(token)

    @pytest.mark.parametrize(("iat_after_now", "accepted"), [(LEEWAY, True), (LEEWAY + 1, False)])
    def test_issued_in_the_future(
        self, verifier: TokenVerifier, keys: Keys, iat_after_now: int, accepted: bool
    ) -> None:
        token = rs256(keys, claims(iat=ts(NOW) + iat_after_now, nbf=DROP))
        if accepted:
            verifier.verify(token)
        else:
            with pytest.raises(TokenRejected, match="future"):
                verifier.verify(token)

    def test_the_injected_clock_decides_not_the_wall_clock(
        self, verifier: TokenVerifier, keys: Keys, clock: Clock
    ) -> None:
        long_ago = datetime(2001, 1, 1, tzinfo=UTC)
        token = rs256(
            keys,
            claims(iat=ts(long_ago), nbf=ts(long_ago), exp=ts(long_ago + timedelta(hours=1))),
        )
        clock.instant = long_ago + timedelta(minutes=5)
        assert verifier.verify(token).subject == "practitioner-42"

    @pytest.mark.parametrize(
        ("seconds_past_the_maximum_age", "accepted"),
        [(-3600, True), (LEEWAY - 1, True), (LEEWAY, False), (3600, False)],
    )
    def test_a_token_older_than_the_maximum_age_is_refused_whatever_its_expiry(
        self,
        jwks_file: Path,
        keys: Keys,
        clock: Clock,
        seconds_past_the_maximum_age: int,
        accepted: bool,
    ) -> None:
        verifier = TokenVerifier(asymmetric(jwks_file, max_token_age_seconds=8 * 3600), now=clock)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(days=30))))
        clock.instant = NOW + timedelta(hours=8, seconds=seconds_past_the_maximum_age)
        if accepted:
            verifier.verify(token)
        else:
            with pytest.raises(TokenRejected, match="too old"):
                verifier.verify(token)

    @given(age_seconds=st.integers(min_value=0, max_value=3 * 24 * 3600))
    def test_a_token_is_accepted_exactly_while_younger_than_the_maximum_age_and_the_leeway(
        self, age_seconds: int
    ) -> None:
        max_age = 12 * 3600
        settings = local(max_token_age_seconds=max_age)
        verifier = TokenVerifier(settings, now=lambda: NOW + timedelta(seconds=age_seconds))
        token = compact(
            {"alg": "HS256"}, claims(exp=ts(NOW + timedelta(days=7))), hs(SECRET.encode())
        )
        if age_seconds < max_age + LEEWAY:
            assert verifier.verify(token).issued_at == NOW
        else:
            with pytest.raises(TokenRejected, match="too old"):
                verifier.verify(token)

    def test_a_naive_clock_is_a_configuration_error(self, jwks_file: Path, keys: Keys) -> None:
        naive = TokenVerifier(asymmetric(jwks_file), now=lambda: NOW.replace(tzinfo=None))
        with pytest.raises(ValueError, match="aware"):
            naive.verify(rs256(keys, claims()))


# --- the JWKS cache ------------------------------------------------------------------------------


@dataclass
class FakeIdp:
    """A JWKS endpoint that counts its calls and can rotate keys or fail."""

    document: dict[str, Any]
    calls: int = 0
    failing: bool = False

    def __call__(self, url: str) -> Mapping[str, Any]:
        assert url == "https://idp.example.gov.uk/jwks"
        self.calls += 1
        if self.failing:
            raise ConnectionError("idp down")
        copied: dict[str, Any] = json.loads(json.dumps(self.document))
        return copied


def url_verifier(idp: FakeIdp, clock: Clock) -> TokenVerifier:
    settings = TokenSettings(
        algorithms=("RS256",),
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url="https://idp.example.gov.uk/jwks",
    )
    return TokenVerifier(settings, now=clock, fetch=idp)


class TestJwks:
    def test_keys_are_cached(self, keys: Keys, clock: Clock) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = url_verifier(idp, clock)
        for _ in range(3):
            verifier.verify(rs256(keys, claims()))
        assert idp.calls == 1

    def test_the_cache_expires(self, keys: Keys, clock: Clock) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = url_verifier(idp, clock)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(hours=2))))
        verifier.verify(token)
        clock.instant = NOW + timedelta(seconds=299)
        verifier.verify(token)
        assert idp.calls == 1
        clock.instant = NOW + timedelta(seconds=300)
        verifier.verify(token)
        assert idp.calls == 2

    def test_an_unknown_kid_refreshes_once_to_pick_up_a_rotated_key(
        self, keys: Keys, clock: Clock
    ) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = url_verifier(idp, clock)
        verifier.verify(rs256(keys, claims()))
        assert idp.calls == 1

        idp.document = {"keys": [rsa_jwk(keys.other_rsa_key, "rsa-2")]}
        rotated = compact({"alg": "RS256", "kid": "rsa-2"}, claims(), rs(keys.other_rsa_key))
        assert verifier.verify(rotated).subject == "practitioner-42"
        assert idp.calls == 2

        # The old key has gone from the set: its tokens no longer verify.
        with pytest.raises(TokenRejected, match="unknown kid"):
            verifier.verify(rs256(keys, claims()))

    def test_unknown_kids_cannot_hammer_the_identity_provider(
        self, keys: Keys, clock: Clock
    ) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = url_verifier(idp, clock)
        verifier.verify(rs256(keys, claims()))
        for n in range(5):
            with pytest.raises(TokenRejected, match="unknown kid"):
                verifier.verify(rs256(keys, claims(), kid=f"random-{n}"))
        assert idp.calls == 2  # the first load and one refresh
        clock.instant = NOW + timedelta(seconds=10)
        with pytest.raises(TokenRejected, match="unknown kid"):
            verifier.verify(rs256(keys, claims(), kid="random-late"))
        assert idp.calls == 3

    def test_a_first_load_is_not_repeated_for_an_unknown_kid(
        self, keys: Keys, clock: Clock
    ) -> None:
        idp = FakeIdp(keys.jwks())
        with pytest.raises(TokenRejected, match="unknown kid"):
            url_verifier(idp, clock).verify(rs256(keys, claims(), kid="who-knows"))
        assert idp.calls == 1

    def test_no_keys_at_all_rejects(self, keys: Keys, clock: Clock) -> None:
        idp = FakeIdp(keys.jwks(), failing=True)
        with pytest.raises(TokenRejected, match="JWKS unavailable"):
            url_verifier(idp, clock).verify(rs256(keys, claims()))

    def test_an_outage_keeps_the_keys_already_loaded(self, keys: Keys, clock: Clock) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = url_verifier(idp, clock)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(hours=2))))
        verifier.verify(token)
        idp.failing = True
        clock.instant = NOW + timedelta(seconds=600)
        assert verifier.verify(token).subject == "practitioner-42"
        assert idp.calls == 2

    def test_an_ambiguous_kid_is_not_used(self, keys: Keys, clock: Clock) -> None:
        doubled = {"keys": [rsa_jwk(keys.rsa_key, "rsa-1"), rsa_jwk(keys.other_rsa_key, "rsa-1")]}
        with pytest.raises(TokenRejected, match="unknown kid"):
            url_verifier(FakeIdp(doubled), clock).verify(rs256(keys, claims()))

    def test_a_short_rsa_key_is_refused(self, clock: Clock) -> None:
        weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        idp = FakeIdp({"keys": [rsa_jwk(weak, "weak")]})
        token = compact({"alg": "RS256", "kid": "weak"}, claims(), rs(weak))
        with pytest.raises(TokenRejected, match="too short"):
            url_verifier(idp, clock).verify(token)

    def test_the_file_is_read_again_for_a_new_kid(
        self, jwks_file: Path, keys: Keys, verifier: TokenVerifier
    ) -> None:
        verifier.verify(rs256(keys, claims()))
        jwks_file.write_text(
            json.dumps({"keys": [rsa_jwk(keys.other_rsa_key, "rsa-2")]}), encoding="utf-8"
        )
        rotated = compact({"alg": "RS256", "kid": "rsa-2"}, claims(), rs(keys.other_rsa_key))
        assert verifier.verify(rotated).subject == "practitioner-42"


# --- settings, local tokens and the HTTP edge ----------------------------------------------------


class TestSettings:
    @pytest.mark.parametrize(
        "overrides",
        [
            {"algorithms": ()},
            {"algorithms": ("none",)},
            {"algorithms": ("HS512",)},
            {"algorithms": ("HS256",), "hs256_secret": None},
            {"algorithms": ("HS256",), "hs256_secret": "short"},
            {"algorithms": ("RS256",), "jwks_path": None},
            {"algorithms": ("RS256",), "jwks_url": "https://idp.example/jwks"},
            {"algorithms": ("RS256",), "jwks_path": None, "jwks_url": "http://idp.example/jwks"},
            {"issuer": " "},
            {"audience": ""},
            {"leeway_seconds": -1},
            {"leeway_seconds": 3600},
            {"max_token_age_seconds": 0},
            {"jwks_cache_seconds": 0},
        ],
    )
    def test_unenforceable_settings_are_refused(
        self, jwks_file: Path, overrides: dict[str, Any]
    ) -> None:
        with pytest.raises(ValueError):
            asymmetric(jwks_file, **overrides)

    def test_a_local_jwks_url_may_use_http(self) -> None:
        settings = TokenSettings(
            algorithms=("RS256",),
            issuer=ISSUER,
            audience=AUDIENCE,
            jwks_url="http://localhost:8080/jwks",
        )
        assert settings.jwks_url == "http://localhost:8080/jwks"


class TestLocalTokens:
    def test_the_token_is_hs256_with_the_registered_claims(self) -> None:
        token = issue_local_token(
            subject="p-1",
            secret=SECRET,
            issuer=ISSUER,
            audience=AUDIENCE,
            now=NOW + timedelta(microseconds=999_999),
            lifetime=timedelta(minutes=5),
        )
        header_part, payload_part, _ = token.split(".")
        header = json.loads(base64.urlsafe_b64decode(header_part + "=="))
        payload = json.loads(base64.urlsafe_b64decode(payload_part + "=="))
        assert header["alg"] == "HS256"
        assert payload == {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "p-1",
            "iat": ts(NOW),
            "nbf": ts(NOW),
            "exp": ts(NOW) + 300,
        }

    @pytest.mark.parametrize(
        "overrides",
        [
            {"secret": "short"},
            {"now": NOW.replace(tzinfo=None)},
            {"lifetime": timedelta(0)},
            {"subject": " "},
            {"extra": {"exp": 9_999_999_999}},
            {"extra": {"sub": "someone-else"}},
        ],
    )
    def test_mistakes_are_refused(self, overrides: dict[str, Any]) -> None:
        fields: dict[str, Any] = {
            "subject": "p-1",
            "secret": SECRET,
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "now": NOW,
        }
        fields.update(overrides)
        with pytest.raises(ValueError):
            issue_local_token(**fields)


class TestHttpEdge:
    @pytest.mark.parametrize(
        ("header", "token"),
        [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer   xyz ", "xyz")],
    )
    def test_the_bearer_token_is_taken_from_the_header(self, header: str, token: str) -> None:
        assert bearer_token(header) == token

    @pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer  ", "Basic dXNlcjpwYXNz"])
    def test_no_bearer_token(self, header: str | None) -> None:
        with pytest.raises(TokenRejected):
            bearer_token(header)

    def test_every_failure_gets_the_same_bare_401(self) -> None:
        answer = unauthorized()
        assert answer.status_code == 401
        assert answer.detail == "Authentication required."
        assert answer.headers == {"WWW-Authenticate": "Bearer"}

    def test_the_rejection_reason_is_kept_for_the_logs(self) -> None:
        rejected = TokenRejected("expired")
        assert rejected.reason == "expired"
        assert str(rejected) == "expired"


# --- verified tokens remembered --------------------------------------------------------------------


def remembering(idp: FakeIdp, clock: Clock, seconds: float = 10) -> TokenVerifier:
    settings = TokenSettings(
        algorithms=("RS256",),
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url="https://idp.example.gov.uk/jwks",
        leeway_seconds=LEEWAY,
        remember_verified_seconds=seconds,
    )
    return TokenVerifier(settings, now=clock, fetch=idp)


class CountingSignatureChecks:
    """Counts the verifier's signature checks by wrapping its own method (on this instance only)."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.count = 0
        check = verifier._verify_signature

        def counted(token: str) -> Mapping[str, Any]:
            self.count += 1
            return check(token)

        verifier._verify_signature = counted  # type: ignore[method-assign]


class TestRememberedTokens:
    def test_the_same_token_is_signature_checked_once_while_remembered(
        self, keys: Keys, clock: Clock
    ) -> None:
        verifier = remembering(FakeIdp(keys.jwks()), clock)
        checks = CountingSignatureChecks(verifier)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(hours=1))))
        for _ in range(3):
            assert verifier.verify(token).subject == "practitioner-42"
        assert checks.count == 1
        clock.instant = NOW + timedelta(seconds=10)
        verifier.verify(token)
        assert checks.count == 2

    def test_a_remembered_token_still_expires_on_time(self, keys: Keys, clock: Clock) -> None:
        verifier = remembering(FakeIdp(keys.jwks()), clock, seconds=300)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(seconds=60))))
        verifier.verify(token)
        clock.instant = NOW + timedelta(seconds=60 + LEEWAY)
        with pytest.raises(TokenRejected, match="expired"):
            verifier.verify(token)

    def test_a_key_withdrawn_from_the_jwks_stops_a_remembered_token_once_both_caches_lapse(
        self, keys: Keys, clock: Clock
    ) -> None:
        idp = FakeIdp(keys.jwks())
        verifier = remembering(idp, clock)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(hours=2))))
        verifier.verify(token)
        idp.document = {"keys": [k for k in keys.jwks()["keys"] if k["kid"] != "rsa-1"]}
        clock.instant = NOW + timedelta(seconds=300)
        with pytest.raises(TokenRejected, match="unknown kid"):
            verifier.verify(token)

    def test_a_remembered_token_is_refused_once_older_than_the_maximum_age(
        self, keys: Keys, clock: Clock
    ) -> None:
        verifier = remembering(FakeIdp(keys.jwks()), clock, seconds=300)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(days=2))))
        clock.instant = NOW + timedelta(hours=12) - timedelta(seconds=1)
        verifier.verify(token)
        clock.instant = NOW + timedelta(hours=12, seconds=LEEWAY)
        with pytest.raises(TokenRejected, match="too old"):
            verifier.verify(token)

    def test_a_token_that_fails_is_not_remembered(self, keys: Keys, clock: Clock) -> None:
        verifier = remembering(FakeIdp(keys.jwks()), clock)
        checks = CountingSignatureChecks(verifier)
        wrong_audience = rs256(keys, claims(aud="someone-else"))
        for _ in range(2):
            with pytest.raises(TokenRejected, match="audience"):
                verifier.verify(wrong_audience)
        assert checks.count == 2

    def test_a_tampered_copy_of_a_remembered_token_is_refused(
        self, keys: Keys, clock: Clock
    ) -> None:
        verifier = remembering(FakeIdp(keys.jwks()), clock)
        token = rs256(keys, claims())
        verifier.verify(token)
        header, payload, signature = token.split(".")
        forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        forged["sub"] = "someone-else"
        with pytest.raises(TokenRejected):
            verifier.verify(f"{header}.{b64u(json.dumps(forged).encode())}.{signature}")

    def test_only_the_most_recently_used_tokens_are_kept(
        self, keys: Keys, clock: Clock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("app.api.security.MAX_REMEMBERED_TOKENS", 2)
        verifier = remembering(FakeIdp(keys.jwks()), clock)
        checks = CountingSignatureChecks(verifier)
        first, second, third = (rs256(keys, claims(jti=str(n))) for n in range(3))
        for token in (first, second, first, third, first):
            verifier.verify(token)
        # The first was used again before the third came, so the second was forgotten, not it:
        # first and second checked, first remembered, third checked, first remembered.
        assert checks.count == 3

    @given(
        remember=st.integers(min_value=0, max_value=300),
        elapsed=st.integers(min_value=0, max_value=3_000),
    )
    def test_the_signature_is_checked_again_once_the_memory_lapses(
        self, keys: Keys, remember: int, elapsed: int
    ) -> None:
        clock = Clock()
        verifier = remembering(FakeIdp(keys.jwks()), clock, seconds=remember)
        checks = CountingSignatureChecks(verifier)
        token = rs256(keys, claims(exp=ts(NOW + timedelta(hours=2))))
        verifier.verify(token)
        clock.instant = NOW + timedelta(seconds=elapsed)
        verifier.verify(token)
        assert checks.count == (1 if elapsed < remember else 2)

    def test_remembering_longer_than_the_keys_are_cached_is_refused(self) -> None:
        with pytest.raises(ValueError, match="remembered"):
            TokenSettings(
                algorithms=("HS256",),
                issuer=ISSUER,
                audience=AUDIENCE,
                hs256_secret=SECRET,
                remember_verified_seconds=301,
            )
