"""The OpenAPI documents of both APIs and an interactive page over them, served without
authentication.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` package and are served from here:
the page works on a machine without internet access.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from mfadesk.api.authn.pipeline import AUTHN_BASE
from mfadesk.api.endpoint import ADMIN_BASE
from mfadesk.api.openapi import ADMIN_API, AUTHN_API, document_json
from mfadesk.api.responses import JSON

OPENAPI_PATH = ADMIN_BASE + "/openapi.json"
AUTHN_OPENAPI_PATH = AUTHN_BASE + "/openapi.json"
DOCS_PATH = ADMIN_BASE + "/docs"

# Relative URLs: the page works under any prefix a reverse proxy adds.
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>mfadesk admin API</title>
  <link rel="icon" type="image/png" href="docs/static/favicon-32x32.png">
  <link rel="stylesheet" href="docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/static/swagger-ui-bundle.js"></script>
  <script src="docs/static/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      urls: [
        {url: "openapi.json", name: "Administration API"},
        {url: "../../mfa/v1_1/openapi.json", name: "Authentication API (/mfa/v1_1)"}
      ],
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""


def _serve(document: bytes) -> Callable[[Request], Awaitable[Response]]:
    async def openapi(request: Request) -> Response:
        return Response(document, media_type=JSON)

    return openapi


def docs_routes() -> list[BaseRoute]:
    """``GET /AdminInterface/restapi/openapi.json``, ``/mfa/v1_1/openapi.json`` and
    ``/AdminInterface/restapi/docs`` (+ its static files)."""
    admin, authn = (document_json(api).encode() for api in (ADMIN_API, AUTHN_API))

    async def page(request: Request) -> Response:
        return HTMLResponse(_PAGE)

    return [
        Route(OPENAPI_PATH, _serve(admin), methods=["GET"], name="openapi"),
        Route(AUTHN_OPENAPI_PATH, _serve(authn), methods=["GET"], name="authn-openapi"),
        Route(DOCS_PATH, page, methods=["GET"], name="docs"),
        Mount(
            DOCS_PATH + "/static", StaticFiles(directory=Path(swagger_ui_path)), name="docs-static"
        ),
    ]
