"""The interactive docs at `/docs` work on a machine with no internet access: the page loads
Swagger UI's script, style and icon from the service itself, and nothing from anywhere else."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.main import create_app
from app.settings import Settings


class _References(HTMLParser):
    """Every URL the page makes a browser fetch: `src` and `href` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, _tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.fixture
def client() -> TestClient:
    settings = Settings(_env_file=None, env="test", database_url="sqlite://")
    return TestClient(create_app(settings, engine=create_engine("sqlite://")))


def test_the_docs_page_loads_only_the_services_own_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = references(page.text)
    assert any(u.endswith("/swagger-ui-bundle.js") for u in urls), urls
    assert any(u.endswith("/swagger-ui.css") for u in urls), urls
    assert any(u.endswith(".png") for u in urls), urls
    for url in urls:
        assert url.startswith("/"), f"{url} is not on this service"
        assert not url.startswith("//"), f"{url} is on another host"
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.text), (
        "the page names another host"
    )
    assert "url: '/openapi.json'" in page.text
    assert '"validatorUrl": null' in page.text, "Swagger UI would send the contract to a validator"


def test_every_asset_the_docs_page_names_is_served(client: TestClient) -> None:
    expected_types = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for url in references(client.get("/docs").text):
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert expected_types[suffix] in asset.headers["content-type"], (url, asset.headers)
        assert len(asset.content) > 500, url
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert b"SwaggerUIBundle" in bundle.content


def test_the_contract_the_page_reads_is_served(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "familyhub"


def test_behind_a_proxy_prefix_the_page_names_its_assets_under_the_prefix() -> None:
    settings = Settings(_env_file=None, env="test", database_url="sqlite://")
    app = create_app(settings, engine=create_engine("sqlite://"))
    with TestClient(app, root_path="/familyhub") as prefixed:
        urls = references(prefixed.get("/docs").text)
    assert urls, "the page names no assets"
    assert all(u.startswith("/familyhub/static/swagger-ui/") for u in urls), urls


def test_redoc_which_would_load_from_a_cdn_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
