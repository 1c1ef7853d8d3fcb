"""One log line per request: id, user, method, path, status and duration."""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

log = logging.getLogger("portal.request")


def configure_logging(app: Flask) -> None:
    root = logging.getLogger("portal")
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = app.testing  # pytest's caplog listens on the root logger

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("request_started")
        duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        user_id = current_user.get_id() if current_user and current_user.is_authenticated else "-"
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        response.headers["Server-Timing"] = f"app;dur={duration_ms:.1f}"
        log.info(
            "request_id=%s user=%s method=%s path=%s status=%s duration_ms=%.1f",
            g.get("request_id", "-"),
            str(user_id).split(":")[0],
            request.method,
            request.path,
            response.status_code,
            duration_ms,
        )
        return response
