"""Roles and the permissions they grant (the matrix is documented in docs/security.md)."""

from __future__ import annotations

ROLES = ("admin", "analyst", "agent", "account_manager")

PROFILES_READ = "profiles.read"
PROFILES_PII = "profiles.pii"
PROFILES_ALL = "profiles.all"  # not limited to assigned accounts
PROFILES_WRITE = "profiles.write"
SOURCES_MANAGE = "sources.manage"
INGEST_WRITE = "ingest.write"
IDENTITY_REVIEW = "identity.review"
IDENTITY_RUN = "identity.run"
USERS_MANAGE = "users.manage"
AUDIT_READ = "audit.read"
APIKEYS_OWN = "apikeys.own"
SURVEYS_READ = "surveys.read"  # definitions and their figures
SURVEYS_MANAGE = "surveys.manage"  # create, edit, publish, close, import
SURVEYS_SEND = "surveys.send"  # personal, public and kiosk links
RESPONSES_READ = "responses.read"  # individual answers
RESPONSES_SUBMIT = "responses.submit"  # responses sent by another system (IVR, app)
TEXT_READ = "text.read"  # themes, verbatims, ad-hoc analysis (raw text needs profiles.pii)
TEXT_LABEL = "text.label"  # thumbs up/down on a comment's sentiment
TEXT_MANAGE = "text.manage"  # rename/merge/split themes, retrain, re-enrich, emerging themes

ALL_PERMISSIONS = frozenset(
    {
        PROFILES_READ,
        PROFILES_PII,
        PROFILES_ALL,
        PROFILES_WRITE,
        SOURCES_MANAGE,
        INGEST_WRITE,
        IDENTITY_REVIEW,
        IDENTITY_RUN,
        USERS_MANAGE,
        AUDIT_READ,
        APIKEYS_OWN,
        SURVEYS_READ,
        SURVEYS_MANAGE,
        SURVEYS_SEND,
        RESPONSES_READ,
        RESPONSES_SUBMIT,
        TEXT_READ,
        TEXT_LABEL,
        TEXT_MANAGE,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": ALL_PERMISSIONS,
    "analyst": frozenset(
        {
            PROFILES_READ,
            PROFILES_ALL,
            INGEST_WRITE,
            IDENTITY_REVIEW,
            AUDIT_READ,
            APIKEYS_OWN,
            SURVEYS_READ,
            SURVEYS_MANAGE,
            SURVEYS_SEND,
            RESPONSES_READ,
            RESPONSES_SUBMIT,
            TEXT_READ,
            TEXT_LABEL,
            TEXT_MANAGE,
        }
    ),
    "agent": frozenset(
        {
            PROFILES_READ,
            PROFILES_PII,
            PROFILES_ALL,
            PROFILES_WRITE,
            APIKEYS_OWN,
            SURVEYS_READ,
            SURVEYS_SEND,
            RESPONSES_SUBMIT,
            TEXT_READ,
            TEXT_LABEL,
        }
    ),
    "account_manager": frozenset(
        {PROFILES_READ, PROFILES_PII, PROFILES_WRITE, APIKEYS_OWN, SURVEYS_READ, SURVEYS_SEND}
    ),
}


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of a role (empty for an unknown role)."""
    return ROLE_PERMISSIONS.get(role, frozenset())
