"""The dashboard: hand-written HTML, CSS and JavaScript (SVG charts, no build step, nothing from a
CDN) served by the agent's own FastAPI app at /dashboard. It reads the /v1 API and has the user's
wallet (window.ethereum) sign the pool's EIP-712 messages, which it posts to the write routes."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC = Path(__file__).parent / "static"
# Only these files are served (no path from the request ever reaches the file system).
MEDIA_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
}
# Everything the page loads comes from this server: a script injected into the data (a model name,
# an API error) cannot load or send anything elsewhere.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard_root() -> RedirectResponse:
    # Relative asset URLs in index.html resolve under /dashboard/ only with the trailing slash.
    return RedirectResponse("/dashboard/", status_code=307)


@router.get("/dashboard/")
def dashboard_index() -> FileResponse:
    return _file("index.html")


@router.get("/dashboard/{name}")
def dashboard_asset(name: str) -> FileResponse:
    if name not in MEDIA_TYPES:
        raise HTTPException(404, f"the dashboard has no file {name!r}; open /dashboard/")
    return _file(name)


def _file(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type=MEDIA_TYPES[name], headers=HEADERS)
