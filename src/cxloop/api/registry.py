"""The router registry: every domain's API and web routers, in one place."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """All routers of the application (imported here so that domains stay independent)."""
    from cxloop.api import audit as audit_api
    from cxloop.auth import api as auth_api
    from cxloop.auth import web as auth_web
    from cxloop.profiles import api as profiles_api
    from cxloop.profiles import jobs as profiles_jobs
    from cxloop.profiles import web as profiles_web
    from cxloop.profiles.ingest import api as ingest_api
    from cxloop.surveys import api as sampling_api
    from cxloop.surveys import api_distribution as distribution_api
    from cxloop.surveys import api_surveys as surveys_api
    from cxloop.surveys import jobs as surveys_jobs
    from cxloop.surveys import web as sampling_web
    from cxloop.surveys import web_builder as surveys_web
    from cxloop.surveys import web_distribution as distribution_web
    from cxloop.surveys import web_respond as respond_web
    from cxloop.surveys import web_tracking as tracking_web
    from cxloop.web import pages

    profiles_jobs.register()
    surveys_jobs.register()
    respond_web.redact_access_log()
    return [
        auth_api.router,
        audit_api.router,
        ingest_api.router,
        profiles_api.router,
        pages.router,
        auth_web.router,
        profiles_web.router,
        sampling_api.router,
        sampling_web.router,
        surveys_api.router,
        surveys_api.respond_router,
        surveys_web.router,
        respond_web.router,
        distribution_api.router,
        distribution_api.hooks_router,
        distribution_web.router,
        tracking_web.router,
    ]
