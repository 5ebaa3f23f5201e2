"""The one error type of the platform: a use case refused, with every reason at its field.

Services raise `Refused([FieldError("/uscc", "…"), …])`; the web layer maps it once: the API answers
422 (409 for `Conflict`) with `{"errors": [{"path", "message"}]}`, a page shows each message at its
field and keeps what was typed. Paths are JSON pointers into the submitted record ("/uscc",
"/items/3/answer"); "" means the record as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable


class FieldError(ValueError):
    """One reason, at one field; raised alone by a field's rule, collected into `Refused`."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.path, self.message) == (
            other.path,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.message))

    def __repr__(self) -> str:
        return f"FieldError({self.path!r}, {self.message!r})"

    @property
    def field(self) -> str:
        """The top-level field the path points into ("" for the whole record)."""
        return self.path.lstrip("/").split("/", 1)[0]

    def as_json(self) -> dict[str, str]:
        return {"path": self.path or "/", "message": self.message}


class Refused(ValueError):
    """A use case refused; `errors` holds every reason, each with the field it belongs to."""

    status = 422

    def __init__(
        self, errors: str | FieldError | Iterable[str | FieldError], path: str = ""
    ) -> None:
        if isinstance(errors, str | FieldError):
            errors = [errors]
        self.errors: list[FieldError] = [
            error if isinstance(error, FieldError) else FieldError(path, error) for error in errors
        ]
        super().__init__("；".join(error.message for error in self.errors))

    @property
    def messages(self) -> list[str]:
        return [error.message for error in self.errors]

    def by_field(self, known: Iterable[str] = ()) -> dict[str, list[str]]:
        """Messages grouped by field; a field the form does not show goes under "" (the form)."""
        shown = set(known)
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            field = error.field if not shown or error.field in shown else ""
            grouped.setdefault(field, []).append(error.message)
        return grouped

    def as_json(self) -> dict[str, object]:
        return {"message": str(self), "errors": [error.as_json() for error in self.errors]}


class Conflict(Refused):
    """The record changed since the caller read it (optimistic lock): 409, reload and retry."""

    status = 409


def refuse_if(errors: Iterable[FieldError]) -> None:
    """Raise Refused when any error was collected (validate everything, then refuse once)."""
    collected = list(errors)
    if collected:
        raise Refused(collected)
