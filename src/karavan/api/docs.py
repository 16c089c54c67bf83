"""API documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) from vendored assets.

The viewers' built files ship in ``karavan/api/static/vendor`` with their licences, so the
pages render without a network connection and load nothing from outside the service's origin.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/docs-static/vendor"


def static_dir() -> Path:
    """The directory of the vendored documentation assets."""
    return Path(__file__).with_name("static")


def docs_static() -> StaticFiles:
    """The app that serves the vendored assets (mounted at ``/docs-static``)."""
    return StaticFiles(directory=static_dir())


def docs_router(openapi_url: str = "/openapi.json") -> APIRouter:
    """``/docs`` and ``/redoc``, referencing only the vendored assets."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="karavan API",
            swagger_js_url=f"{STATIC}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 1},
        )

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title="karavan API",
            redoc_js_url=f"{STATIC}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC}/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,
        )

    return router
