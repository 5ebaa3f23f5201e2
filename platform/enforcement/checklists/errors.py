"""The one error shape of the plugin pipeline: `file: /json/pointer: message` (Chinese messages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PluginError:
    file: str
    pointer: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}: {self.pointer or '/'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.pointer or "/", "message": self.message}
        if self.line is not None:
            data.update(line=self.line, column=self.column)
        return data


class PluginInvalid(ValueError):
    """A plugin file with one or more errors; `errors` holds all of them."""

    def __init__(self, errors: list[PluginError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def pointer(path: Any) -> str:
    """A JSON pointer (RFC 6901) from a sequence of keys and indexes."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""
