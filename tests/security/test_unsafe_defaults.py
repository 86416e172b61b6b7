"""No unsafe defaults (security issue 15): the attacks that worked, each refused.

An attacker forged a token with the demo secret published in app/settings.py and read a refuge
address from a container that ran the dev defaults on 0.0.0.0. Here: the image runs production
settings, dev and test serve loopback only, old tokens and tokens without `iat` are refused, a
short secret is refused without being repeated, and a request cannot carry two tokens.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
import typer
import uvicorn
from fastapi import HTTPException
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from typer.testing import CliRunner

from app import cli
from app.api.auth import get_principal, make_verifier
from app.api.deps import get_clock
from app.api.loopback import is_loopback
from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.main import create_app
from app.settings import DEV_TOKEN_SECRET, Settings
from tests.api.test_authentication import assert_bare_401, forge_hs256, real_now, valid_claims
from tests.builders import (
    ReferenceData,
    Staff,
    bearer,
    given_practitioner,
    given_reference_data,
)

Env = Literal["dev", "test", "production"]
ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
OPERATORS_SECRET = "an-operators-own-secret-not-in-the-code-0123456789"
OPERATORS_SECRET_SETTING = SecretStr(OPERATORS_SECRET)
OPERATORS_AUDIT_KEY = "an-operators-own-audit-key-kept-out-of-the-database-0123"
"""Production also needs an audit key of its own (tests/security/test_audit_tampering.py)."""
SHORT_SECRETS = ["abc123shortsecret", "abc123Qz7Wk9VxJm4Tn8Rb2Ld6Hc5Yp"]
"""Too short (17 and 31 characters). Any four characters of one in a row, found in an error, can
only mean the error repeated the secret (the messages spell the variable's name in capitals)."""


def image_environment() -> dict[str, str]:
    """The FAMILYHUB_* variables the Dockerfile's ENV instructions set, read from the file itself."""
    logical_lines: list[str] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        logical_lines.append(pending)
        pending = ""
    environment: dict[str, str] = {}
    for line in logical_lines:
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() != "ENV":
            continue
        for pair in shlex.split(arguments):
            name, equals, value = pair.partition("=")
            assert equals, f"ENV {pair!r}: the legacy 'ENV name value' form is not used here"
            environment[name] = value
    return {name: value for name, value in environment.items() if name.startswith("FAMILYHUB_")}


def image_settings(monkeypatch: pytest.MonkeyPatch, **operator_env: str) -> Settings:
    """Settings as the container builds them: the image's ENV plus what the operator passes."""
    for name in list(os.environ):
        if name.startswith("FAMILYHUB_"):
            monkeypatch.delenv(name)
    for name, value in {**image_environment(), **operator_env}.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


def substrings(secret: str, length: int = 4) -> set[str]:
    return {secret[start : start + length] for start in range(len(secret) - length + 1)}


def assert_not_repeated(secret: str, text: str) -> None:
    assert "abc123" not in text
    echoed = sorted(part for part in substrings(secret) if part in text)
    assert echoed == [], f"the error repeats part of the secret: {echoed}\n{text}"


# --- the image runs production settings ---------------------------------------------------------


def test_the_image_runs_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert image_environment()["FAMILYHUB_ENV"] == "production"
    settings = image_settings(
        monkeypatch,
        FAMILYHUB_AUTH_HS256_SECRET=OPERATORS_SECRET,
        FAMILYHUB_AUDIT_KEY=OPERATORS_AUDIT_KEY,
    )
    assert settings.env == "production"
    assert settings.host == "0.0.0.0"
    assert not settings.serves_loopback_only


def test_the_image_refuses_to_start_without_a_secret_or_a_jwks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="FAMILYHUB_AUTH_HS256_SECRET"):
        image_settings(monkeypatch)
    with pytest.raises(ValidationError, match="FAMILYHUB_AUTH_JWKS_URL"):
        image_settings(monkeypatch, FAMILYHUB_AUTH_ALGORITHMS='["RS256"]')


def test_the_image_refuses_the_demo_secret_copied_from_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="demo"):
        image_settings(monkeypatch, FAMILYHUB_AUTH_HS256_SECRET=DEV_TOKEN_SECRET)


@pytest.fixture
def image_client(
    monkeypatch: pytest.MonkeyPatch,
    engine: Engine,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    reference: ReferenceData,
) -> Iterator[TestClient]:
    """The API as the container serves it, given the operator's own secret; no token by default."""
    settings = image_settings(
        monkeypatch,
        FAMILYHUB_AUTH_HS256_SECRET=OPERATORS_SECRET,
        FAMILYHUB_AUDIT_KEY=OPERATORS_AUDIT_KEY,
        FAMILYHUB_DATABASE_URL=str(engine.url),
        # Sealed in the request: the test's sessions share one connection with no thread to spare.
        FAMILYHUB_AUDIT_SEAL_DELAY_MS="0",
    )
    app = create_app(settings, engine=engine)
    app.state.session_factory = session_factory
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_token_forged_with_the_published_demo_secret_is_refused_by_the_image(
    image_client: TestClient, staff: Staff
) -> None:
    forged = image_client.get(f"{API}/hubs", headers={"Authorization": bearer(staff.lead)})
    assert_bare_401(forged)
    signed_by_the_operator = image_client.get(
        f"{API}/hubs", headers={"Authorization": bearer(staff.lead, secret=OPERATORS_SECRET)}
    )
    assert signed_by_the_operator.status_code == 200, signed_by_the_operator.text


# --- dev and test serve loopback only -----------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `familyhub serve` got as far as: migrations run, uvicorn started (and with what)."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **options: seen.update(options))
    monkeypatch.setattr(cli, "migrate", lambda: seen.update(migrated=True))
    return seen


def serve_with(monkeypatch: pytest.MonkeyPatch, settings: Settings, host: str | None) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    cli.serve(host=host, port=None, workers=1)


@pytest.mark.parametrize("env", ["dev", "test"])
@pytest.mark.parametrize(
    ("option", "setting"),
    [
        ("0.0.0.0", "127.0.0.1"),
        ("::", "127.0.0.1"),
        ("192.0.2.10", "127.0.0.1"),
        ("familyhub.example", "127.0.0.1"),
        (None, "0.0.0.0"),
        (None, ""),
        (None, "::ffff:192.0.2.10"),
    ],
)
def test_a_dev_serve_beyond_loopback_is_refused_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    started: dict[str, Any],
    env: Env,
    option: str | None,
    setting: str,
) -> None:
    with pytest.raises(typer.Exit) as refused:
        serve_with(monkeypatch, Settings(_env_file=None, env=env, host=setting), option)
    assert refused.value.exit_code == 2
    assert started == {}, "nothing may run before the refusal"
    assert "loopback only" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"])
def test_a_dev_serve_on_loopback_starts(
    monkeypatch: pytest.MonkeyPatch, started: dict[str, Any], host: str
) -> None:
    serve_with(monkeypatch, Settings(_env_file=None, env="dev"), host)
    assert started["migrated"] is True
    assert started["host"] == host


def test_production_serves_every_interface(
    monkeypatch: pytest.MonkeyPatch, started: dict[str, Any]
) -> None:
    settings = Settings(
        _env_file=None,
        env="production",
        auth_hs256_secret=OPERATORS_SECRET_SETTING,
        audit_key=SecretStr(OPERATORS_AUDIT_KEY),
    )
    serve_with(monkeypatch, settings, "0.0.0.0")
    assert started["host"] == "0.0.0.0"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("::ffff:10.0.0.5", False),
        ("localhost.example", False),
        ("", False),
    ],
)
def test_loopback_means_127_0_0_0_slash_8_or_ipv6_loopback_or_localhost(
    host: str, loopback: bool
) -> None:
    assert is_loopback(host) is loopback


def served_app(env: Env) -> Any:
    settings = Settings(
        _env_file=None,
        env=env,
        database_url="sqlite://",
        auth_hs256_secret=OPERATORS_SECRET_SETTING if env == "production" else None,
        audit_key=SecretStr(OPERATORS_AUDIT_KEY),
    )
    return create_app(settings, engine=create_engine("sqlite://"))


@pytest.mark.parametrize("env", ["dev", "test"])
@pytest.mark.parametrize(
    ("server", "client"),
    [
        ("http://192.0.2.10:8000", ("127.0.0.1", 50000)),  # `uvicorn --host 0.0.0.0`, from outside
        ("http://127.0.0.1:8000", ("203.0.113.9", 50000)),  # forwarded to loopback from outside
        ("http://[::ffff:172.17.0.2]:8000", ("::ffff:172.17.0.1", 50000)),  # a dual-stack socket
    ],
)
def test_a_dev_app_reached_beyond_loopback_answers_nothing(
    env: Env, server: str, client: tuple[str, int]
) -> None:
    """However it was started: a token signed with the demo secret gets 403 like anything else."""
    with TestClient(served_app(env), base_url=server, client=client) as test_client:
        for path in ("/health", f"{API}/hubs", "/docs"):
            response = test_client.get(path, headers={"Authorization": bearer(uuid.uuid4())})
            assert response.status_code == 403, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert "only answers on loopback" in response.json()["detail"]


@pytest.mark.parametrize("env", ["dev", "test"])
@pytest.mark.parametrize(
    ("server", "client"),
    [
        ("http://127.0.0.1:8000", ("127.0.0.1", 50000)),
        ("http://[::1]:8000", ("::1", 50000)),
        ("http://localhost:8000", ("127.0.0.1", 50000)),
    ],
)
def test_a_dev_app_answers_on_loopback(env: Env, server: str, client: tuple[str, int]) -> None:
    with TestClient(served_app(env), base_url=server, client=client) as test_client:
        assert test_client.get("/health").status_code == 200


def test_only_a_test_deployment_answers_the_in_process_test_client() -> None:
    """TestClient's "testserver" is no address a socket reports: allowed in env=test only."""
    with TestClient(served_app("test")) as test_client:
        assert test_client.get("/health").status_code == 200
    with TestClient(served_app("dev")) as test_client:
        assert test_client.get("/health").status_code == 403


def test_a_production_app_answers_every_interface() -> None:
    with TestClient(
        served_app("production"), base_url="http://192.0.2.10:8000", client=("203.0.113.9", 1)
    ) as test_client:
        assert test_client.get("/health").status_code == 200


# --- a token has a maximum age ------------------------------------------------------------------


def test_a_token_issued_13_hours_ago_is_refused_though_it_has_not_expired(
    client: TestClient, staff: Staff
) -> None:
    old = bearer(staff.lead, now=real_now() - timedelta(hours=13), lifetime=timedelta(hours=24))
    assert_bare_401(client.get(f"{API}/hubs", headers={"Authorization": old}))
    younger = bearer(staff.lead, now=real_now() - timedelta(hours=11), lifetime=timedelta(hours=24))
    assert client.get(f"{API}/hubs", headers={"Authorization": younger}).status_code == 200


def test_a_token_without_an_issued_at_is_refused(client: TestClient, staff: Staff) -> None:
    claims = valid_claims(str(staff.lead))
    without_iat = {name: value for name, value in claims.items() if name != "iat"}
    response = client.get(
        f"{API}/hubs", headers={"Authorization": f"Bearer {forge_hs256(without_iat)}"}
    )
    assert_bare_401(response)
    with_iat = client.get(f"{API}/hubs", headers={"Authorization": f"Bearer {forge_hs256(claims)}"})
    assert with_iat.status_code == 200


def test_the_maximum_token_age_is_a_setting_of_12_hours_by_default() -> None:
    assert Settings(_env_file=None).auth_max_token_age_seconds == 12 * 3600
    with pytest.raises(ValidationError, match="auth_max_token_age_seconds"):
        Settings(_env_file=None, auth_max_token_age_seconds=0)


def test_familyhub_token_will_not_make_a_token_outliving_the_maximum_age(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A throwaway SQLite file: the command opens its own engine, outside any test transaction."""
    url = f"sqlite:///{tmp_path / 'tokens.sqlite3'}"
    upgrade_to_head(url)
    engine = make_engine(url)

    def new_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(make_session_factory(engine))

    given_reference_data(new_uow)
    practitioner_id = given_practitioner(new_uow, roles=set())
    with new_uow() as uow:
        practitioner = uow.practitioners.get(practitioner_id)
    engine.dispose()
    assert practitioner is not None
    email = practitioner.email
    settings = Settings(_env_file=None, database_url=url, auth_max_token_age_seconds=12 * 3600)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    runner = CliRunner()

    too_long = runner.invoke(cli.cli, ["token", "--user", email, "--hours", "13"])
    assert too_long.exit_code == 2
    assert "FAMILYHUB_AUTH_MAX_TOKEN_AGE_SECONDS" in too_long.stderr
    assert too_long.stdout == ""

    longest = runner.invoke(cli.cli, ["token", "--user", email, "--hours", "12"])
    assert longest.exit_code == 0, longest.output
    claims = make_verifier(settings).verify(longest.stdout.strip())
    assert claims.subject == email
    assert claims.expires_at - claims.issued_at == timedelta(hours=12)


# --- a short secret is refused without being repeated -------------------------------------------


@pytest.mark.parametrize("secret", SHORT_SECRETS)
@pytest.mark.parametrize("env", ["production", "dev", "test"])
def test_a_short_secret_is_refused_naming_the_variable_and_never_repeating_it(
    env: Env, secret: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, env=env, auth_hs256_secret=SecretStr(secret))
    error = refused.value
    for shown in (
        str(error),
        repr(error),
        "".join(traceback.format_exception_only(error)),
        cli.settings_problem(error),
    ):
        assert "FAMILYHUB_AUTH_HS256_SECRET" in shown
        assert "at least 32 characters" in shown
        assert_not_repeated(secret, shown)


@pytest.mark.parametrize("secret", SHORT_SECRETS)
@pytest.mark.parametrize("env", ["production", "dev"])
def test_familyhub_serve_refuses_a_short_secret_without_printing_it(
    tmp_path: Path, env: str, secret: str
) -> None:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("FAMILYHUB_")
    }
    environment.update(
        FAMILYHUB_ENV=env,
        FAMILYHUB_AUTH_HS256_SECRET=secret,
        FAMILYHUB_DATABASE_URL=f"sqlite:///{tmp_path / 'never-made.sqlite3'}",
    )
    served = subprocess.run(
        [str(Path(sys.executable).parent / "familyhub"), "serve"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = served.stdout + served.stderr
    assert served.returncode == 2, output
    assert "FAMILYHUB_AUTH_HS256_SECRET must have at least 32 characters" in output
    assert "Traceback" not in output
    assert_not_repeated(secret, output)
    assert not (tmp_path / "never-made.sqlite3").exists(), "refused before any migration"


# --- one Authorization header -------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair",
    ["two copies of a good token", "a good token, then garbage", "garbage, then a good token"],
)
def test_two_authorization_headers_get_the_bare_401(
    client: TestClient, staff: Staff, pair: str
) -> None:
    good = bearer(staff.lead)
    values = {
        "two copies of a good token": (good, good),
        "a good token, then garbage": (good, "Bearer not-a-jwt"),
        "garbage, then a good token": ("Bearer not-a-jwt", good),
    }[pair]
    response = client.get(f"{API}/hubs", headers=[("Authorization", value) for value in values])
    assert_bare_401(response)
    assert client.get(f"{API}/hubs", headers={"Authorization": good}).status_code == 200


def test_the_principal_is_refused_for_two_authorization_headers_even_past_the_middleware() -> None:
    """Defence in depth: a route reached without the token middleware still counts the headers."""
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": f"{API}/hubs",
            "headers": [(b"authorization", b"Bearer a.b.c"), (b"authorization", b"Bearer d.e.f")],
            "state": {},
        }
    )
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials="a.b.c")
    with pytest.raises(HTTPException) as refused:
        asyncio.run(get_principal(request, uow=None, credentials=credentials))  # type: ignore[arg-type]
    assert refused.value.status_code == 401
