"""Deployment settings, read from FAMILYHUB_* environment variables (and an optional .env file)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.api.security import DEFAULT_MAX_TOKEN_AGE_SECONDS, HS256, MIN_HS256_SECRET_CHARS
from app.domain.audit import MIN_KEY_BYTES, AuditKeys
from app.domain.errors import InvalidValue
from app.domain.family_help import EpisodeType, FamilyHelpPolicy, StatutoryBasis
from app.domain.identifiers import IdentifierScheme

DEFAULT_SQLITE_URL = "sqlite:///./var/familyhub.sqlite3"
DEV_TOKEN_SECRET = "familyhub-local-demo-secret-not-for-production"
"""Signs local demo tokens when no secret is set: published here, so refused in production, and
dev/test deployments serve loopback only (app/api/loopback.py)."""
DEV_AUDIT_KEY = "familyhub-published-demo-audit-key-for-dev-and-test-only"
"""Seals the audit trail in dev and test. Published in this file, so it proves nothing: production
refuses it and needs a key of its own (FAMILYHUB_AUDIT_KEY)."""
DEV_AUDIT_KEY_ID = "dev"


class Settings(BaseSettings):
    """Everything a deployment may change without a code change."""

    # hide_input_in_errors: a refused setting's value (a secret, a database URL's password) is
    # never repeated in the error, its str() or a traceback; the message names the variable.
    model_config = SettingsConfigDict(
        env_prefix="FAMILYHUB_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["dev", "test", "production"] = Field(
        default="dev",
        description="Which kind of deployment this is. dev and test sign with a published demo"
        " secret unless given one, so they serve loopback only; production needs a real secret"
        " or a JWKS.",
    )
    database_url: str = Field(
        default=DEFAULT_SQLITE_URL,
        description="SQLAlchemy URL. SQLite file by default; postgresql+psycopg://... for production.",
    )
    read_replica_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostgreSQL streaming replica of the database. Set, the"
        " reports and the timeliness summary read from it (each read's audit entry is still"
        " written to the primary, in the same request), so they see the data as of the"
        " replica's replication lag. PostgreSQL only: refused with a SQLite database.",
    )
    timezone: str = Field(
        default="Europe/London", description="The council's time zone: 'today' is a date here."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    max_body_bytes: int = Field(
        default=1_000_000, description="Requests with a larger body get 413."
    )
    document_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1,
        description="The largest document (bytes) a file upload may hold; larger ones get 413 and"
        " nothing is stored. Upload bodies may be this much plus 64 KiB of form fields.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Front-end origins allowed by CORS."
    )
    levels_of_need: dict[str, str] = Field(
        default_factory=lambda: {
            "1": "Universal",
            "2": "Universal Plus",
            "3": "Intensive",
            "4": "Specialist / statutory",
        },
        description="Levels of need (code → label). Early help works at 2 and 3; labels 1 and 4 are assumed.",
    )
    early_help_levels: list[str] = Field(
        default_factory=lambda: ["2", "3"],
        description="Levels at which an early help episode may run.",
    )
    family_help: bool = Field(
        default=False,
        description="Whether this council runs Family Help (Families First Partnership, 2025):"
        " on, new episodes open as family_help and may step across to a statutory basis (s17,"
        " s47) with role-typed allocations and CIN census dates; off (the default), every"
        " episode stays early_help with no statutory basis, as before. FAMILYHUB_FAMILY_HELP=on.",
    )
    threshold_document_version: str | None = Field(
        default=None,
        max_length=64,
        description="The version of the council's published threshold document (level-of-need"
        " framework) that step-across decisions apply unless the request names another.",
    )
    episode_type_names: dict[EpisodeType, str] = Field(
        default_factory=lambda: {
            EpisodeType.EARLY_HELP: "Early Help",
            EpisodeType.FAMILY_HELP: "Family Help",
        },
        description="What the council calls each episode type (e.g. 'Family Support').",
    )
    statutory_basis_names: dict[StatutoryBasis, str] = Field(
        default_factory=lambda: {
            StatutoryBasis.NONE: "Targeted help",
            StatutoryBasis.S17: "Child in need (s.17)",
            StatutoryBasis.S47: "Child protection (s.47)",
        },
        description="What the council calls each statutory basis.",
    )

    def family_help_policy(self) -> FamilyHelpPolicy:
        """The Family Help settings as the domain's policy."""
        return FamilyHelpPolicy(
            enabled=self.family_help,
            threshold_document_version=self.threshold_document_version,
            type_names={**FamilyHelpPolicy().type_names, **self.episode_type_names},
            basis_names={**FamilyHelpPolicy().basis_names, **self.statutory_basis_names},
        )

    consistent_identifier_scheme: IdentifierScheme = Field(
        default=IdentifierScheme.NHS_NUMBER,
        description="The council's consistent child identifier (Children's Wellbeing and Schools"
        " Act 2026, s.16LC): the scheme a recorded reason for absence stands in for. The NHS"
        " number until regulations say otherwise; a change of configuration, not of schema.",
    )

    auth_algorithms: list[str] = Field(
        default_factory=lambda: ["HS256"],
        description="Pinned token algorithms: HS256 locally, RS256/ES256 against the council's identity provider.",
    )
    auth_issuer: str = Field(default="familyhub-local", description="Expected `iss` of tokens.")
    auth_audience: str = Field(default="familyhub", description="Expected `aud` of tokens.")
    auth_hs256_secret: SecretStr | None = Field(
        default=None,
        description="HS256 secret (local tokens), at least 32 characters. Unset, dev and test use"
        " the published demo secret; production refuses to start.",
    )
    auth_jwks_path: str | None = Field(
        default=None, description="JWKS file of the identity provider."
    )
    auth_jwks_url: str | None = Field(
        default=None, description="JWKS URL of the identity provider (https)."
    )
    auth_leeway_seconds: int = Field(default=30, description="Clock skew allowed on exp/nbf/iat.")
    auth_max_token_age_seconds: int = Field(
        default=DEFAULT_MAX_TOKEN_AGE_SECONDS,
        ge=1,
        description="Tokens issued (`iat`) longer ago than this are refused whatever their `exp`;"
        " a token without `iat` is refused too.",
    )
    keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        description="How long `familyhub serve` keeps an idle connection open: longer than the idle"
        " timeout of any proxy in front, so the service never closes a connection a client is"
        " about to reuse.",
    )
    principal_cache_seconds: float = Field(
        default=10,
        ge=0,
        description="How long a worker remembers who a token's subject is (roles, hubs, active),"
        " and that a token's signature checked out (at most 300 s); a change made through another"
        " worker applies within this time. 0 turns both off.",
    )

    request_threads: int = Field(
        default=8,
        ge=1,
        le=10,
        description="How many requests one worker process runs at once; the rest wait their turn."
        " Python runs one thread at a time, so more threads only queue on each other: on the"
        " bench, 8 served 10-17 % more requests a second than 40 (bench/RESULTS.md). At most 10:"
        " a request may hold two of the worker's 20 database connections (its own and the audit"
        " writer's), and more threads than that would wait for connections instead.",
    )

    http_metrics: bool = Field(
        default=False,
        description="FastAPI's OpenTelemetry HTTP metrics (route, method, status, duration),"
        " sent to the meter provider the deployment configures. Its traces and exception logs"
        " stay off whatever this says: a trace carries the query string (a family search's"
        " names and dates of birth) and an exception log the exception's message.",
    )

    @model_validator(mode="after")
    def _no_unsafe_token_keys(self) -> Settings:
        """Error messages name the variable and never repeat its value (nor any of it)."""
        if HS256 in self.auth_algorithms:
            self._check_hs256_secret()
        if any(algorithm != HS256 for algorithm in self.auth_algorithms) and (
            (self.auth_jwks_url is None) == (self.auth_jwks_path is None)
        ):
            raise ValueError(
                "FAMILYHUB_AUTH_ALGORITHMS other than HS256 need exactly one of"
                " FAMILYHUB_AUTH_JWKS_URL and FAMILYHUB_AUTH_JWKS_PATH"
            )
        return self

    def _check_hs256_secret(self) -> None:
        if self.auth_hs256_secret is None:
            if self.env == "production":
                raise ValueError(
                    "FAMILYHUB_ENV=production needs FAMILYHUB_AUTH_HS256_SECRET (at least"
                    f" {MIN_HS256_SECRET_CHARS} characters), or FAMILYHUB_AUTH_ALGORITHMS without"
                    " HS256 and the identity provider's FAMILYHUB_AUTH_JWKS_URL or"
                    " FAMILYHUB_AUTH_JWKS_PATH"
                )
            self.auth_hs256_secret = SecretStr(DEV_TOKEN_SECRET)
        secret = self.auth_hs256_secret.get_secret_value()
        if self.env == "production" and secret == DEV_TOKEN_SECRET:
            raise ValueError(
                "FAMILYHUB_ENV=production refuses the demo FAMILYHUB_AUTH_HS256_SECRET published"
                " in the code: set one of your own"
            )
        if len(secret) < MIN_HS256_SECRET_CHARS:
            raise ValueError(
                f"FAMILYHUB_AUTH_HS256_SECRET must have at least {MIN_HS256_SECRET_CHARS} characters"
            )

    @property
    def serves_loopback_only(self) -> bool:
        """dev and test may sign with the published demo secret, so they never serve the network."""
        return self.env != "production"

    audit_seal_delay_ms: int | None = Field(
        default=None,
        ge=0,
        le=5000,
        description="How long a worker's sealing thread lets committed audit entries gather before"
        " sealing them into the chain in one batch. 0 seals each request's entries right after its"
        " commit, in the request. Default: 50, or 0 in env=test.",
    )

    @property
    def audit_seal_delay(self) -> float:
        """Seconds; 0 means seal in the request (the tests, whose sessions share a connection)."""
        default = 0 if self.env == "test" else 50
        delay = self.audit_seal_delay_ms if self.audit_seal_delay_ms is not None else default
        return delay / 1000

    audit_key: SecretStr = Field(
        default=SecretStr(DEV_AUDIT_KEY),
        description="HMAC key sealing the audit trail (32+ bytes; never stored in the database)."
        " The default is the published demo key, refused in production.",
    )
    audit_key_id: str | None = Field(
        default=None,
        description="Label stored with each seal made with `audit_key` (1-16 letters, digits, . _ -),"
        " so seals made before a key rotation are checked with the key they were made with."
        f" Default: {DEV_AUDIT_KEY_ID!r} for the demo key, '1' otherwise.",
    )
    audit_old_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Keys rotated out, by key id (a JSON object), kept to verify their seals.",
    )

    @model_validator(mode="after")
    def _audit_keys_usable(self) -> Settings:
        current = self.audit_key.get_secret_value()
        if self.env == "production":
            if current == DEV_AUDIT_KEY:
                raise ValueError(
                    "production needs its own FAMILYHUB_AUDIT_KEY: the demo key is published"
                )
            if len(current.encode()) < MIN_KEY_BYTES:
                raise ValueError(f"FAMILYHUB_AUDIT_KEY must be at least {MIN_KEY_BYTES} bytes")
            if any(k.get_secret_value() == DEV_AUDIT_KEY for k in self.audit_old_keys.values()):
                raise ValueError("FAMILYHUB_AUDIT_OLD_KEYS must not hold the published demo key")
        try:
            self.audit_keys()
        except InvalidValue as exc:
            raise ValueError(f"{exc.field}: {exc.detail}") from None
        return self

    def audit_keys(self) -> AuditKeys:
        current = self.audit_key.get_secret_value()
        key_id = self.audit_key_id or (DEV_AUDIT_KEY_ID if current == DEV_AUDIT_KEY else "1")
        return AuditKeys.of(
            key_id,
            current.encode(),
            {kid: key.get_secret_value().encode() for kid, key in self.audit_old_keys.items()},
        )

    cursor_key: SecretStr | None = Field(
        default=None,
        description="Key sealing list cursors (32+ bytes). Default: derived from the audit key,"
        " so a deployment needs no secret of its own for it; every worker must share it.",
    )

    def cursor_key_bytes(self) -> bytes:
        """32 bytes for the cursor sealer: the configured key or the audit key, through HMAC
        with a label, so the key itself is never used for two purposes."""
        source = (self.cursor_key or self.audit_key).get_secret_value().encode()
        return hmac.new(source, b"familyhub list cursors", hashlib.sha256).digest()

    @model_validator(mode="after")
    def _cursor_key_long_enough(self) -> Settings:
        if self.cursor_key is not None and len(self.cursor_key.get_secret_value().encode()) < 32:
            raise ValueError("FAMILYHUB_CURSOR_KEY must be at least 32 bytes")
        return self

    @model_validator(mode="after")
    def _early_help_levels_exist(self) -> Settings:
        unknown = [code for code in self.early_help_levels if code not in self.levels_of_need]
        if unknown:
            raise ValueError(f"early_help_levels {unknown} are not in levels_of_need")
        return self

    @model_validator(mode="after")
    def _read_replica_is_postgresql(self) -> Settings:
        if self.read_replica_url is None:
            return self
        if not self.read_replica_url.startswith("postgresql") or self.is_sqlite:
            raise ValueError(
                "FAMILYHUB_READ_REPLICA_URL is for PostgreSQL only: it and FAMILYHUB_DATABASE_URL"
                " must both be postgresql+psycopg:// URLs (a SQLite database has no replica)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
