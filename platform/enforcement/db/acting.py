"""Who is acting: one ContextVar, set per request by the web layer and by `acting_as()` elsewhere.

Scoping (who may see a row), audit (who changed it) and the services (who is recorded as the
author) all ask `current_actor()`. Outside a request and outside `acting_as()` (the CLI, the demo
loader, migrations) the actor is the national system account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from enforcement.domain.jurisdiction import NATIONAL, Jurisdiction


@dataclass(frozen=True)
class Actor:
    username: str | None
    jurisdiction: Jurisdiction
    remote_addr: str | None = None


SYSTEM = Actor(username="system", jurisdiction=NATIONAL)

# Either an Actor, or a resolver called on each ask: the web layer resolves the logged-in user
# lazily, because loading the user is itself a query that must not be scoped by that user.
_acting: ContextVar[Actor | Callable[[], Actor] | None] = ContextVar(
    "enforcement_actor", default=None
)


def current_actor() -> Actor:
    value = _acting.get()
    if value is None:
        return SYSTEM
    if isinstance(value, Actor):
        return value
    return value()


@contextmanager
def acting_as(actor: Actor | Callable[[], Actor]) -> Iterator[None]:
    """Run the block as `actor` (an Actor, or a resolver returning one); restored on exit."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)
