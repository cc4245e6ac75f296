"""Helpers of the end-to-end sending tests: real `cxloop worker` processes pointed at a loopback
SMTP server or the fake Twilio-style API, and counters of what reached them per invitation."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.surveys.channels.conftest import Handler
from tests.surveys.channels.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.surveys.distribution.conftest import CALLBACK


def smtp_env(smtp_port: int) -> dict[str, str]:
    """Settings of the email channel pointing at a loopback SMTP server."""
    return {
        "CXLOOP_SMTP_HOST": "127.0.0.1",
        "CXLOOP_SMTP_PORT": str(smtp_port),
        "CXLOOP_SMTP_STARTTLS": "false",
        "CXLOOP_SMTP_FROM": "surveys@cx.example",
        "CXLOOP_SMTP_TIMEOUT_SECONDS": "5",
    }


def sms_env(fake: FakeTwilio) -> dict[str, str]:
    """Settings of the SMS channel pointing at the fake provider."""
    return {
        "CXLOOP_SMS_BASE_URL": fake.base_url,
        "CXLOOP_SMS_ACCOUNT_SID": ACCOUNT_SID,
        "CXLOOP_SMS_AUTH_TOKEN": AUTH_TOKEN,
        "CXLOOP_SMS_FROM": "+15005550006",
        "CXLOOP_SMS_STATUS_CALLBACK_URL": CALLBACK,
        "CXLOOP_SMS_TIMEOUT_SECONDS": "5",
    }


def start_worker(tmp_path: Path, env: dict[str, str], n: int) -> subprocess.Popen[bytes]:
    """``cxloop worker`` in a process of its own, against the test database; log in tmp_path."""
    full = dict(os.environ)
    full.update({**env, "PYTHONUNBUFFERED": "1"})
    log = (tmp_path / f"worker-{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "cxloop.cli.main", "worker"],
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def log_tail(tmp_path: Path, n: int) -> str:
    """The end of a worker's log (for assertion messages)."""
    return (tmp_path / f"worker-{n}.log").read_text()[-3000:]


def stop(*procs: subprocess.Popen[bytes] | None) -> None:
    """Stop the worker processes that still run."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def email_tags(handler: Handler) -> Counter[int]:
    """How many emails arrived for each invitation (by its signed header)."""
    seen: Counter[int] = Counter()
    for r in list(handler.received):
        tag = str(r.message["X-Cxloop-Invitation"])
        seen[int(tag.split(".", 1)[0].removeprefix("inv-"))] += 1
    return seen


def sms_tags(fake: FakeTwilio) -> Counter[int]:
    """How many SMS requests reached the provider for each invitation (its status callback URL
    names it)."""
    seen: Counter[int] = Counter()
    for req in list(fake.requests):
        hook = req.form["StatusCallback"][0]
        [public_id] = parse_qs(urlsplit(hook).query)["invitation"]
        seen[int(public_id.removeprefix("inv-"))] += 1
    return seen
