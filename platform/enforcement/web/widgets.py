"""The list widget every model view uses: FAB's markup, built with one URL pattern per page."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_appbuilder.widgets import ListWidget
from werkzeug.routing import BuildError

PK_PLACEHOLDER = "__pk__"


def row_links(
    modelview_name: str, can_show: bool, can_edit: bool, can_delete: bool
) -> dict[str, str]:
    """URL patterns for the row buttons; the template puts each row's key in place of __pk__."""
    links: dict[str, str] = {}
    for action, allowed in (("show", can_show), ("edit", can_edit), ("delete", can_delete)):
        if not allowed:
            continue
        try:
            links[action] = url_for(f"{modelview_name}.{action}", pk=PK_PLACEHOLDER)
        except BuildError:  # a view without that endpoint: no button, as in FAB
            continue
    return links


class LeanListWidget(ListWidget):
    template = "enforcement/widgets/list.html"

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("row_links", row_links)
        return super().__call__(**kwargs)
