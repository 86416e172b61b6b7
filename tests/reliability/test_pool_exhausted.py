"""Every database connection busy: a request waits the pool's timeout, then gets a clean 503."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.db.engine import make_engine
from app.main import create_app
from app.settings import Settings
from tests.builders import bearer


def test_a_request_that_finds_every_connection_busy_is_told_to_retry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    app = create_app(Settings(env="test", database_url=url), engine=engine)
    with engine.connect(), TestClient(app) as client:  # the only connection, held
        response = client.get("/api/v1/hubs", headers={"Authorization": bearer(uuid.uuid4())})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"]
    engine.dispose()


def test_no_more_request_threads_than_two_database_connections_each_can_serve() -> None:
    with pytest.raises(ValidationError, match="request_threads"):
        Settings(request_threads=11)
