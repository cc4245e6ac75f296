"""The application factory: one FastAPI app serving the API under /api/v1 and the web pages."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from cxloop import __version__
from cxloop.api import errors
from cxloop.api.inputs import check_request
from cxloop.api.limits import BodyLimitMiddleware
from cxloop.api.registry import routers, warm_up
from cxloop.core import jobs
from cxloop.core.config import get_settings
from cxloop.core.db import on_after_commit

log = logging.getLogger("cxloop")


def create_app(worker: bool = False) -> FastAPI:
    """Build the app; ``worker`` runs background jobs in a thread of this process."""
    settings = get_settings()
    job_worker = jobs.Worker() if worker else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if job_worker is not None:
            on_after_commit(job_worker.wake)
            job_worker.start()
            threading.Thread(target=_warm_up, name="cxloop-warm-up", daemon=True).start()
        yield
        if job_worker is not None:
            job_worker.stop()

    app = FastAPI(
        title="cxloop",
        version=__version__,
        description="Customer experience platform: profiles, feedback, closed loop.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(check_request)],
    )
    from cxloop.web.render import SecurityHeaders, render_error_page

    errors.install(app, render_error_page)
    app.add_middleware(
        BodyLimitMiddleware, limit=settings.max_upload_bytes, json_limit=16 * 1024 * 1024
    )
    app.add_middleware(SecurityHeaders)
    for router in routers():
        app.include_router(router)
    from cxloop.web.render import mount_static

    _docs(app)
    mount_static(app)
    return app


def freeze_heap() -> None:
    """Move what start-up allocated out of the garbage collector's sight (servers only).

    Hundreds of thousands of long-lived objects (modules, routes, models) would otherwise be
    walked by every full collection, a pause that lands on whichever requests are in flight.
    """
    gc.collect()
    gc.freeze()


def _warm_up() -> None:
    """Load the models background jobs need, off the request path (logged if it fails)."""
    try:
        warm_up()
    except Exception:  # the worker still loads them on first use
        log.exception("warm-up failed")
    freeze_heap()


def _docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs, its assets served from the installed package (no CDN)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount(
        "/static/swagger",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger",
    )

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="cxloop API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
