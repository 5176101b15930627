"""The dashboard's files as the agent's app serves them: only the page's own files, with a
Content-Security-Policy that keeps everything on this server, and nothing else reachable."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.api.dashboard import MEDIA_TYPES, STATIC, router


@pytest.fixture(scope="module")
def client():
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def test_the_page_and_its_files_are_served_with_a_strict_policy(client):
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for name in re.findall(r'(?:src|href)="([^"#]+)"', page.text):
        asset = client.get(f"/dashboard/{name}")  # every file the page loads is here
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == MEDIA_TYPES[name]
        assert asset.content == (STATIC / name).read_bytes()


def test_nothing_else_is_reachable(client):
    for path in ("/dashboard/__init__.py", "/dashboard/..%2F__init__.py", "/dashboard/.."):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]


def test_the_page_loads_nothing_from_elsewhere():
    for path in STATIC.iterdir():
        text = path.read_text()
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text), path.name
        assert not re.search(r"""fetch\(\s*['"`]https?://""", text), path.name
        assert "innerHTML" not in text, path.name  # data only ever goes into text nodes
