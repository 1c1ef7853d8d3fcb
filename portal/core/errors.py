"""Domain errors, and friendly error pages that never show a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the action; `message` is safe to show to the user."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/payments/stripe/webhook":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def _render(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if _wants_json():
        message = error.description if code < 500 else "Internal server error"
        return jsonify({"error": {"status": code, "message": message}}), code
    template = {403: "errors/403.html", 404: "errors/404.html"}.get(code, "errors/error.html")
    return render_template(template, error=error, code=code), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        return _render(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            return _render(InternalServerError())
        except Exception:  # the error page itself failed: answer plainly
            log.exception("error page failed")
            return "Internal server error", 500
