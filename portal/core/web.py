"""Request helpers shared by every area: htmx-aware responses, redirects, role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Response, abort, make_response, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from portal.accounts.models import Role, User

P = ParamSpec("P")
R = TypeVar("R")


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, /, *, status: int = 200, **context: Any) -> Response:
    """One URL answers with the full page or, to htmx, with the fragment the page includes."""
    partial = (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
    response = make_response(render_template(fragment if partial else page, **context), status)
    response.vary.add("HX-Request")  # no cache may serve the fragment as the page
    return response


def redirect_after_post(location: str) -> WerkzeugResponse:
    """303 for browsers; htmx follows HX-Location without a full reload."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Location"] = location
        return response
    return redirect(location, code=303)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target


def user() -> User:
    """The logged-in user, typed."""
    found: User = current_user._get_current_object()
    return found


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Staff areas: logged-in users without one of these roles get 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                from portal.extensions import login_manager

                unauthorized: R = login_manager.unauthorized()
                return unauthorized
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF_ROLES = (Role.STAFF, Role.ADMIN)
PARTNER_ROLES = (Role.BUYER, Role.PARTNER_ADMIN)
