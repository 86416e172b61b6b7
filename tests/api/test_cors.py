"""Browsers: only the configured front-end origins may call the API, and they can read ETag and paging."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.main import create_app
from app.settings import Settings
from tests.builders import Staff, bearer

FRONT_END = "https://familyhub.council.example"


def browser_client(engine: Engine, origins: list[str]) -> TestClient:
    return TestClient(
        create_app(
            Settings(env="test", database_url=str(engine.url), cors_origins=origins), engine=engine
        )
    )


def test_a_configured_origin_is_allowed_and_sees_the_headers_it_needs(
    engine: Engine, staff: Staff
) -> None:
    client = browser_client(engine, [FRONT_END])
    preflight = client.options(
        "/api/v1/families",
        headers={
            "Origin": FRONT_END,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == FRONT_END
    response = client.get(
        "/api/v1/hubs", headers={"Origin": FRONT_END, "Authorization": bearer(staff.lead)}
    )
    assert response.headers["access-control-allow-origin"] == FRONT_END
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "location", "link"} <= exposed


def test_another_origin_is_refused(engine: Engine, staff: Staff) -> None:
    client = browser_client(engine, [FRONT_END])
    preflight = client.options(
        "/api/v1/families",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    response = client.get(
        "/api/v1/hubs",
        headers={"Origin": "https://evil.example", "Authorization": bearer(staff.lead)},
    )
    assert "access-control-allow-origin" not in response.headers


def test_no_origin_is_allowed_by_default(engine: Engine, staff: Staff) -> None:
    client = browser_client(engine, [])
    response = client.get(
        "/api/v1/hubs", headers={"Origin": FRONT_END, "Authorization": bearer(staff.lead)}
    )
    assert "access-control-allow-origin" not in response.headers


def test_a_refused_token_still_carries_cors_headers_so_the_browser_can_read_the_401(
    engine: Engine,
) -> None:
    client = browser_client(engine, [FRONT_END])
    response = client.get("/api/v1/hubs", headers={"Origin": FRONT_END})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == FRONT_END
