"""`familyhub serve`: the server is started with the deployment's settings."""

from __future__ import annotations

import gc
import importlib
from typing import Any

import pytest
import uvicorn
from anyio import to_thread
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine

from app import cli
from app.main import create_app
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
    assert started["factory"] is True


def test_each_served_worker_freezes_what_start_up_built_out_of_the_collectors_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **_options: started.update(target=target))
    monkeypatch.setattr(cli, "migrate", lambda: None)
    cli.serve(host=None, port=None, workers=1)
    module_name, _, factory_name = started["target"].partition(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    monkeypatch.setenv("FAMILYHUB_DATABASE_URL", "sqlite://")
    gc.unfreeze()
    try:
        app = factory()
        assert isinstance(app, FastAPI)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on collecting as usual


def test_by_default_idle_connections_outlive_a_load_balancers_usual_minute() -> None:
    assert Settings().keep_alive_seconds > 60


def test_a_worker_runs_as_many_requests_at_once_as_the_setting_allows() -> None:
    app = create_app(Settings(request_threads=3), engine=create_engine("sqlite://"))
    with TestClient(app) as client:
        portal = client.portal
        assert portal is not None  # set while the client's context is open
        assert portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens) == 3


def test_the_request_threads_setting_refuses_nonsense() -> None:
    with pytest.raises(ValidationError, match="request_threads"):
        Settings(request_threads=0)
