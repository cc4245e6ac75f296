"""Typed configuration read from the environment (prefix ``CXLOOP_``) and an optional .env file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All settings of a cxloop deployment."""

    model_config = SettingsConfigDict(env_prefix="CXLOOP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the SQLite file and keys.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in data_dir/cxloop.db."
    )
    secret_key: str = Field(
        default="", description="Signs webhooks and tokens; generated if empty."
    )
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool | None = Field(
        default=None, description="Secure flag on cookies; default: true unless base_url is http."
    )
    session_hours: int = 12
    max_upload_bytes: int = 200 * 1024 * 1024
    max_batch_records: int = 10_000
    max_field_chars: int = 65_536
    webhook_tolerance_seconds: int = 300
    default_region: str = "US"
    sql_echo: bool = False
    argon2_time_cost: int = Field(default=3, ge=1, description="argon2id passes")
    argon2_memory_kib: int = Field(default=65536, ge=8, description="argon2id memory (KiB)")

    # Survey invitations by email (empty smtp_host: the email channel is off)
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = Field(default=True, description="Upgrade with STARTTLS (port 587).")
    smtp_ssl: bool = Field(default=False, description="Implicit TLS from the start (port 465).")
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = Field(default="", description="From address of survey invitations.")
    smtp_bounce_address: str = Field(
        default="", description="VERP base for bounces (bounces@…); empty: smtp_from."
    )
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # Survey invitations by SMS through a Twilio-compatible API (empty account SID: off)
    sms_base_url: str = "https://api.twilio.com"
    sms_account_sid: str = ""
    sms_auth_token: SecretStr = SecretStr("")
    sms_from: str = Field(default="", description="Sender number (E.164) or sender id.")
    sms_messaging_service_sid: str = ""
    sms_status_callback_url: str = Field(
        default="", description="Public URL the provider posts delivery statuses to."
    )
    sms_timeout_seconds: float = Field(default=10.0, gt=0)
    # Survey distribution (the sending job)
    survey_send_batch: int = Field(default=50, ge=1, le=1000, description="Invitations per call.")
    survey_send_lease_seconds: int = Field(
        default=900, ge=1, description="How long a batch may take before it counts as crashed."
    )
    survey_max_attempts: int = Field(default=5, ge=1, le=50, description="Tries per invitation.")
    survey_trigger_poll_seconds: int = Field(
        default=60, ge=1, description="How often trigger-based distributions look for events."
    )

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            url = self.database_url
            if url.startswith(("postgresql://", "postgres://")):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'cxloop.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The secret key, generated once and kept in data_dir when not configured."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()
