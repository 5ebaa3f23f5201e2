"""The session cookie is written only when the session changed.

The session lives in a signed cookie, so two requests in flight at once each answer with the cookie
they started from, and the later answer wins. Rewriting it on every request (Flask's
SESSION_REFRESH_EACH_REQUEST) let the menu badge's background request, started before a click,
overwrite the cookie the click's answer had just set, and the click's message ("已发布…") was lost.

The idle timeout still holds: a user's activity stamps the session at most once a minute, which
re-signs the cookie and so restarts PERMANENT_SESSION_LIFETIME. Background requests (`passive`) are
not activity: they neither stamp nor write, so a page left open does not keep a session alive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request, session

ACTIVITY_KEY = "_active"
ACTIVITY_RESOLUTION_SECONDS = 60

View = TypeVar("View", bound=Callable[..., Any])

clock: Callable[[], float] = time.time  # the tests move it forward


def passive(view: View) -> View:
    """Marks a view as a background request (put it above the other decorators)."""
    view.passive_session = True  # type: ignore[attr-defined]
    return view


def is_passive_request() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "passive_session", False))


def note_activity() -> None:
    """Before each request: the session is permanent, and the user's activity restarts its clock."""
    if is_passive_request():
        return
    if not session.permanent:
        session.permanent = True
    stamp = int(clock())
    if stamp - int(session.get(ACTIVITY_KEY, 0)) >= ACTIVITY_RESOLUTION_SECONDS:
        session[ACTIVITY_KEY] = stamp
