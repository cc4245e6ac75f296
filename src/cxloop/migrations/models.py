"""Every table module, imported so that the metadata is complete (migrations, tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "cxloop.core.tenancy",
    "cxloop.core.audit",
    "cxloop.core.jobs",
    "cxloop.auth.models",
    "cxloop.profiles.ingest.models",
    "cxloop.profiles.models",
    "cxloop.journeys.models",
    "cxloop.surveys.models",
    "cxloop.text.models",
    "cxloop.surveys.models_distribution",
)


def import_all_models() -> None:
    """Import the model modules listed in MODEL_MODULES."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
