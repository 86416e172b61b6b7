"""Nothing personal leaves through telemetry: FastAPI's own OpenTelemetry traces stay off, and its
HTTP metrics (nothing personal in them) are sent only when the deployment turns them on.

A trace of a family search would carry its query string (names, dates of birth) to whatever
backend the deployment's tracer provider exports to. Here a provider is configured, as a
deployment would, and the requests must not reach it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry import metrics, trace
from sqlalchemy import create_engine

from app.main import create_app
from app.settings import Settings
from tests.api.test_episodes import API


class RecordingTracerProvider(trace.TracerProvider):
    def __init__(self) -> None:
        self.tracers_asked = 0

    def get_tracer(self, *_args: Any, **_kwargs: Any) -> trace.Tracer:
        self.tracers_asked += 1
        return trace.NoOpTracer()


def test_a_family_search_is_not_traced_even_with_a_tracer_provider_configured(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = RecordingTracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    response = client.get(f"{API}/families", params={"name": "Hughes"})
    assert response.status_code == 200
    assert provider.tracers_asked == 0


class RecordingMeterProvider(metrics.MeterProvider):
    def __init__(self) -> None:
        self.meters_asked = 0

    def get_meter(self, *_args: Any, **_kwargs: Any) -> metrics.Meter:
        self.meters_asked += 1
        return metrics.NoOpMeter("test")


@pytest.mark.parametrize(("http_metrics", "measured"), [(False, False), (True, True)])
def test_http_metrics_are_sent_only_when_the_deployment_asks_for_them(
    monkeypatch: pytest.MonkeyPatch, http_metrics: bool, measured: bool
) -> None:
    provider = RecordingMeterProvider()
    monkeypatch.setattr(metrics, "get_meter_provider", lambda: provider)
    app = create_app(
        Settings(env="test", http_metrics=http_metrics), engine=create_engine("sqlite://")
    )
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    assert (provider.meters_asked > 0) is measured
