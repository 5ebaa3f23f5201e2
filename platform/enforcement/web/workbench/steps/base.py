"""What every step of WorkbenchView shares: the record lookup (404 outside the jurisdiction), the
redirect back, and the flashed outcome of a refused or successful step.

Each step lives in its own module as a mixin of `WorkbenchSteps`; workbench/views.py combines them
into the one `WorkbenchView` FAB registers, so endpoints (``WorkbenchView.plan_new``), URLs
(/workbench/…) and permissions (``can_plan_new`` on WorkbenchView) are those of a single view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView
from werkzeug.wrappers import Response

from enforcement.domain.errors import FieldError
from enforcement.services.workbench import WorkbenchError
from enforcement.web.base import app_session


def field_errors(errors: list[FieldError]) -> dict[str, list[str]]:
    """The messages by form field (a path's first part; none: "_form", about the whole form)."""
    out: dict[str, list[str]] = {}
    for error in errors:
        field = error.path.strip("/").split("/")[0] or "_form"
        out.setdefault(field, []).append(error.message)
    return out


class WorkbenchSteps(BaseView):
    """The steps: each POST calls one service; refusals come back as Chinese messages at the form."""

    @staticmethod
    def _get(model: type, pk: int) -> Any:
        item = app_session().get(model, pk)  # scoped: another region's record is None → 404
        if item is None:
            abort(404)
        return item

    @staticmethod
    def _back(endpoint: str, **values: Any) -> Response:
        return redirect(url_for(endpoint, **values))

    def _refused(
        self, error: WorkbenchError, failure: str, *, back: str, pk: int, keep: tuple[str, ...] = ()
    ) -> Response:
        """A refused step: "<failure>：<reasons>" as a danger message, back to the page it came from
        with the fields named in `keep` as typed (the page reads them back as `typed_<name>`)."""
        flash(f"{failure}：{error}", "danger")
        typed = {f"typed_{name}": request.form.get(name, "") for name in keep}
        return self._back(back, pk=pk, **typed)

    def _step(
        self,
        call: Callable[[], object],
        *,
        success: str,
        failure: str,
        back: str,
        pk: int,
        keep: tuple[str, ...] = (),
    ) -> Response:
        """A step whose only outcome is a message: run the service call, flash the result, go back.

        Steps whose message or next page depends on what the service returns use `_refused` alone.
        """
        try:
            call()
        except WorkbenchError as exc:
            return self._refused(exc, failure, back=back, pk=pk, keep=keep)
        flash(success, "success")
        return self._back(back, pk=pk)
