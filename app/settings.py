"""Deployment settings, read from FAMILYHUB_* environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///./var/familyhub.sqlite3"


class Settings(BaseSettings):
    """Everything a deployment may change without a code change."""

    model_config = SettingsConfigDict(env_prefix="FAMILYHUB_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "production"] = Field(
        default="dev",
        description="Which kind of deployment this is; production refuses demo secrets.",
    )
    database_url: str = Field(
        default=DEFAULT_SQLITE_URL,
        description="SQLAlchemy URL. SQLite file by default; postgresql+psycopg://... for production.",
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

    @model_validator(mode="after")
    def _early_help_levels_exist(self) -> Settings:
        unknown = [code for code in self.early_help_levels if code not in self.levels_of_need]
        if unknown:
            raise ValueError(f"early_help_levels {unknown} are not in levels_of_need")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
