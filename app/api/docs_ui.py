"""`/docs`: Swagger UI served from the package, so the interactive docs work with no network.

FastAPI's own `/docs` page loads Swagger UI's script and style from a public CDN (and its
favicon from FastAPI's site), and `/redoc` loads ReDoc and web fonts the same way: on a machine
without internet access, or a council network that blocks CDNs, both pages stayed blank. The
files are vendored, unchanged, from the swagger-ui-dist npm package, version 5.35.0 (Apache-2.0;
its LICENSE, NOTICE and the bundle's third-party notices sit beside them in
`app/api/static/swagger-ui/`; docs/front-end.md says how to update them). ReDoc is not offered.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "swagger-ui"
ASSETS_PATH = "/static/swagger-ui"
DOCS_PATH = "/docs"

SWAGGER_UI_PARAMETERS = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    # Swagger UI would otherwise send the contract to a public validator for its badge.
    "validatorUrl": None,
}


def install(app: FastAPI) -> None:
    """Serve the vendored assets and a `/docs` page that loads only them (the app is built with
    `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="swagger-ui-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that mounts the service under a prefix, every URL carries the prefix.
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
