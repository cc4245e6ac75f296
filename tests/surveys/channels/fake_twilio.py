"""A small Twilio-style Messages API on a loopback port (http.server in a thread).

It answers like the real one: 201 with a JSON message resource, or an error object
``{"code", "message", "more_info", "status"}``. Which error depends on the ``To`` number.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "f3e2d1c0b9a8f3e2d1c0b9a8f3e2d1c0"
PATH = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json")

INVALID = "+15005550001"  # 400, code 21211
RATE_LIMITED = "+15005550429"  # 429 with Retry-After
RATE_LIMITED_ONCE = "+15005550428"  # 429 with Retry-After the first time, then 201
RATE_LIMITED_ODDLY = "+15005550427"  # 429 with a Retry-After of 5,000 digits
BROKEN = "+15005550500"  # 500 with an HTML body
UNAVAILABLE = "+15005550503"  # 503 with a JSON error
SLOW = "+15005550999"  # answers after the client's timeout


def error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    limited: set[str] = field(default_factory=set)  # numbers already answered 429 once
    delay: float = 0.0  # seconds before each accepted message is answered (a busy provider)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        match = PATH.fullmatch(req.path)
        if not match:
            return 404, {}, json.dumps(error(404, 20404, "Not found")).encode()
        expected = base64.b64encode(f"{match.group(1)}:{AUTH_TOKEN}".encode()).decode()
        if req.headers.get("authorization") != f"Basic {expected}":
            return 401, {}, json.dumps(error(401, 20003, "Authenticate")).encode()
        to = req.form.get("To", [""])[0]
        if not req.form.get("Body") or not (
            req.form.get("From") or req.form.get("MessagingServiceSid")
        ):
            return 400, {}, json.dumps(error(400, 21602, "Message body is required.")).encode()
        if to == INVALID:
            msg = f"The 'To' number {to} is not a valid phone number."
            return 400, {}, json.dumps(error(400, 21211, msg)).encode()
        if to == RATE_LIMITED:
            return (
                429,
                {"Retry-After": "7"},
                json.dumps(error(429, 20429, "Too Many Requests")).encode(),
            )
        if to == RATE_LIMITED_ODDLY:
            return (
                429,
                {"Retry-After": "9" * 5000},
                json.dumps(error(429, 20429, "Too Many Requests")).encode(),
            )
        if to == RATE_LIMITED_ONCE and to not in self.limited:
            self.limited.add(to)
            return (
                429,
                {"Retry-After": "7"},
                json.dumps(error(429, 20429, "Too Many Requests")).encode(),
            )
        if to == BROKEN:
            return (
                500,
                {"Content-Type": "text/html"},
                b"<html><body>Internal Server Error</body></html>",
            )
        if to == UNAVAILABLE:
            return 503, {}, json.dumps(error(503, 20500, "Service unavailable")).encode()
        if to == SLOW:
            time.sleep(1.5)
        elif self.delay:
            time.sleep(self.delay)
        sid = "SM" + uuid.uuid4().hex
        body = {
            "sid": sid,
            "account_sid": match.group(1),
            "to": to,
            "from": req.form.get("From", [""])[0],
            "body": req.form["Body"][0],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "uri": f"/2010-04-01/Accounts/{match.group(1)}/Messages/{sid}.json",
        }
        return 201, {}, json.dumps(body).encode()


def start(fake: FakeTwilio) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode("utf-8")
            assert self.headers.get("Content-Type") == "application/x-www-form-urlencoded"
            req = Request(
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                parse_qs(raw, keep_blank_values=True),
            )
            fake.requests.append(req)
            status, headers, body = fake.answer(req)
            self.send_response(status)
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, thread
