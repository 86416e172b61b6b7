"""The application factory: routers, problem handlers, middleware and the database engine."""

from __future__ import annotations

import ctypes
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import __version__
from app.api import docs_ui, openapi, problems
from app.api.auth import BearerTokenMiddleware, make_verifier
from app.api.cursors import AesGcmCursors
from app.api.loopback import IN_PROCESS_TEST_ADDRESSES, LoopbackOnlyMiddleware
from app.api.middleware import RequestContextMiddleware
from app.api.principal_cache import PrincipalCache
from app.api.routers import (
    assessments,
    audit,
    caseload,
    chronology,
    claims,
    consents,
    contacts,
    disclosures,
    documents,
    episodes,
    families,
    family_help,
    family_network,
    health,
    interchange,
    needs,
    plans,
    practitioners,
    problem_pages,
    reference,
    reports,
    requests,
    taf,
    timeliness,
)
from app.api.validators import ListValidatorMiddleware
from app.db.audit_sealer import BackgroundSealing, SqlAuditSealer
from app.db.changes import ChangeBroker, PostgresListener
from app.db.engine import make_engine, make_read_replica_engine, make_session_factory
from app.domain.paging import use_cursor_sealer
from app.settings import Settings, get_settings

DESCRIPTION = """
Case management for early help in family hubs: households, consent, and the
assess – plan – do – review cycle led by a lead professional.

Conventions: errors are RFC 9457 `application/problem+json`; updates need `If-Match`
(428 without it, 412 when stale); creates accept `Idempotency-Key`; lists are cursor-paged.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Endpoints are plain functions run in the thread pool; its size is per event loop.
    settings: Settings = app.state.settings
    to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
    sealing: BackgroundSealing | None = None
    if settings.audit_seal_delay > 0:
        sealing = BackgroundSealing(
            SqlAuditSealer(app.state.session_factory, app.state.audit_keys),
            delay=settings.audit_seal_delay,
        )
        sealing.start()
    app.state.audit_sealing = sealing
    listener: PostgresListener | None = None
    if app.state.notify_changes and app.state.engine.dialect.name == "postgresql":
        listener = PostgresListener(settings.database_url, app.state.change_broker)
        listener.start()
    try:
        yield
    finally:
        if listener is not None:
            listener.stop()
        if sealing is not None:
            sealing.stop()


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    replica_engine: Engine | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    if replica_engine is None and settings.read_replica_url is not None:
        replica_engine = make_read_replica_engine(settings.read_replica_url)
    app = FastAPI(
        title="familyhub",
        version=__version__,
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
        lifespan=_lifespan,
        # `/docs` is served from the package by docs_ui (FastAPI's loads Swagger UI from a CDN).
        docs_url=None,
        redoc_url=None,
        # Personal data must not leave through telemetry (see Settings.http_metrics). Off, the
        # per-request check for configured providers is skipped too.
        telemetry={"tracing": False, "logs": False, "metrics": settings.http_metrics},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.replica_engine = replica_engine
    app.state.replica_session_factory = (
        None if replica_engine is None else make_session_factory(replica_engine)
    )
    """Sessions on the read replica the reports read from, or None to read on the primary."""
    app.state.audit_keys = settings.audit_keys()
    use_cursor_sealer(AesGcmCursors(settings.cursor_key_bytes()))
    app.state.audit_sealing = None
    """The worker's sealing thread (started with the app), or None to seal in each request."""
    app.state.change_broker = ChangeBroker()
    app.state.notify_changes = settings.env != "test"
    """Change hints through PostgreSQL NOTIFY to every worker; in tests (whose transactions never
    commit) through this process's broker."""
    app.state.token_verifier = make_verifier(settings)
    app.state.principal_cache = PrincipalCache(settings.principal_cache_seconds)

    problems.install(app)
    openapi.install(app)
    docs_ui.install(app)

    # Unreachable, or every pooled connection busy past the pool's timeout: try again shortly.
    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("familyhub").warning("database unavailable: %s", type(exc).__name__)
        return problems.problem_response(
            request,
            503,
            "unavailable",
            "Service unavailable",
            "The database is not reachable; try again shortly.",
            "database_unavailable",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(IntegrityError)
    async def _database_conflict(request: Request, _exc: Exception) -> JSONResponse:
        return problems.problem_response(
            request,
            409,
            "conflict",
            "Conflict",
            "The change clashes with a record already stored.",
            "record_clash",
        )

    @app.exception_handler(DataError)
    async def _database_refused_value(request: Request, _exc: Exception) -> JSONResponse:
        return problems.problem_response(
            request,
            422,
            "invalid-value",
            "Invalid value",
            "A value is out of the range the record can hold.",
            "value_out_of_range",
        )

    for router in (
        health.router,
        problem_pages.router,
        reference.router,
        practitioners.router,
        families.router,
        chronology.router,
        family_network.router,
        consents.router,
        disclosures.router,
        episodes.router,
        family_help.router,
        family_help.reports_router,
        assessments.router,
        plans.router,
        taf.router,
        timeliness.router,
        reports.router,
        claims.router,
        audit.router,
        caseload.router,
        needs.router,
        contacts.router,
        documents.router,
        requests.router,
        interchange.router,
    ):
        app.include_router(router)

    # Added innermost first: the token check runs inside CORS, so a 401 still carries CORS headers.
    # A list's validator is worked out on the answer before it is compressed.
    app.add_middleware(ListValidatorMiddleware)
    app.add_middleware(BearerTokenMiddleware, verifier=app.state.token_verifier)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "Location", "Link", "X-Request-ID", "Idempotent-Replayed"],
        )
    # Answers over 1 kB are gzipped for clients that accept it (a caseload page shrinks ~8x).
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.document_max_bytes,
    )
    if settings.serves_loopback_only:
        # Outermost: a dev/test app reached from the network answers nothing else.
        app.add_middleware(
            LoopbackOnlyMiddleware,
            also_allowed=IN_PROCESS_TEST_ADDRESSES if settings.env == "test" else (),
        )
    return app


def __getattr__(name: str) -> Any:
    """`app.main:app` for ASGI servers and tools, built on first use from the environment's settings."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)


def create_served_app() -> FastAPI:
    """The app `familyhub serve` runs in each worker: built, then frozen out of the collector's way.

    Python's full garbage collections walked every object that imports and start-up had made:
    about 80 ms each, every few heavy requests, in every scenario's tail latency. Objects made
    before `gc.freeze()` are never scanned again, which cut a full collection to 5-8 ms
    (bench/RESULTS.md). Tests build apps with `create_app`, unfrozen.
    """
    app = create_app()
    gc.freeze()
    keep_large_buffers_out_of_the_heap()
    return app


_M_MMAP_THRESHOLD = -3
"""glibc's mallopt parameter number for the mmap threshold (malloc.h)."""
MMAP_THRESHOLD_BYTES = 128 * 1024


def keep_large_buffers_out_of_the_heap() -> None:
    """Serve every allocation of 128 KiB or more from a mapping of its own, given back when freed.

    That is glibc's default threshold, but glibc raises it to the size of each such block freed:
    after the first upload, the 256 KiB buffers of every chunk (Python's, the driver's, SQLite's)
    came from the heap, which kept about 2 MB the worker never gave back, a third of a SQLite
    worker's growth on its first 20 MB upload (bench/RESULTS.md). Setting the threshold turns
    that adjustment off. Nothing happens where the C library has no `mallopt`.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
