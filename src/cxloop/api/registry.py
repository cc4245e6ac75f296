"""The router registry: every domain's API and web routers, in one place."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """All routers of the application (imported here so that domains stay independent)."""
    from cxloop.api import audit as audit_api
    from cxloop.auth import api as auth_api
    from cxloop.auth import web as auth_web
    from cxloop.profiles import api as profiles_api
    from cxloop.profiles import web as profiles_web
    from cxloop.profiles.ingest import api as ingest_api
    from cxloop.surveys import api as sampling_api
    from cxloop.surveys import api_distribution as distribution_api
    from cxloop.surveys import api_surveys as surveys_api
    from cxloop.surveys import api_widget as widget_api
    from cxloop.surveys import web as sampling_web
    from cxloop.surveys import web_answers as answers_web
    from cxloop.surveys import web_builder as surveys_web
    from cxloop.surveys import web_distribution as distribution_web
    from cxloop.surveys import web_links as links_web
    from cxloop.surveys import web_respond as respond_web
    from cxloop.surveys import web_tracking as tracking_web
    from cxloop.surveys import web_widget as widget_web
    from cxloop.text import api as text_api
    from cxloop.text import web as text_web
    from cxloop.web import pages

    register_jobs()
    respond_web.redact_access_log()
    # Routes are matched one by one in this order: the public, high-volume ones (respondents,
    # tracking pixels) come first, so they do not pay for matching every admin route.
    return [
        surveys_api.respond_router,
        respond_web.router,
        tracking_web.router,
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
        widget_api.router,
        surveys_web.router,
        links_web.router,
        answers_web.router,
        text_api.router,
        text_web.router,
        widget_web.router,
        distribution_api.router,
        distribution_api.hooks_router,
        distribution_web.router,
    ]


def register_jobs() -> None:
    """Register every domain's background job handlers (the app, the worker, the CLI, tests)."""
    from cxloop.profiles import jobs as profiles_jobs
    from cxloop.surveys import jobs as surveys_jobs
    from cxloop.text import jobs as text_jobs

    profiles_jobs.register()
    surveys_jobs.register()
    text_jobs.register()


def warm_up() -> None:
    """Load what a background worker needs before its first job (the text models)."""
    from cxloop.text import jobs as text_jobs

    text_jobs.warm_up()
