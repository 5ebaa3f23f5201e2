"""How the audit trail reads on a page. The trail itself is captured in db/audit.py."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.models import AppUser, Enforcer


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """How a record's "who" reads on a page: the inspector's name with the login
    ("郭德明（donghu）") when the user acts as one 执法人员, otherwise the login alone."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    rows = session.execute(
        select(AppUser.username, Enforcer.name)
        .join(Enforcer, AppUser.enforcer_id == Enforcer.id)
        .where(AppUser.username.in_(wanted))
        .execution_options(**{UNSCOPED: True})
    )
    names = {username: f"{name}（{username}）" for username, name in rows}
    return {username: names.get(username, username) for username in wanted}
