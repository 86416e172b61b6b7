"""`familyhub serve`: the server is started with the deployment's settings."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from app import cli
from app.settings import Settings


def test_serve_keeps_idle_connections_open_for_the_configured_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **options: started.update(options))
    monkeypatch.setattr(cli, "migrate", lambda: None)
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(keep_alive_seconds=90))

    cli.serve(host=None, port=None, workers=2)

    assert started["timeout_keep_alive"] == 90
    assert started["workers"] == 2


def test_by_default_idle_connections_outlive_a_load_balancers_usual_minute() -> None:
    assert Settings().keep_alive_seconds > 60
