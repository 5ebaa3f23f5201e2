"""企业执法档案 of WorkbenchView: every task, inspection, hazard and order of one enterprise."""

from __future__ import annotations

from typing import Any

from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from enforcement.models import Enterprise
from enforcement.services import history
from enforcement.web.base import app_session
from enforcement.web.workbench.steps.base import WorkbenchSteps


class HistorySteps(WorkbenchSteps):
    """企业执法档案: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/enterprise/<int:pk>/history")
    @has_access
    def history(self, pk: int) -> Any:
        """Every task, inspection, hazard and order of one enterprise (cases are added by the case module)."""
        enterprise = self._get(Enterprise, pk)
        return self.render_template(
            "enforcement/workbench/history.html",
            title=f"执法档案：{enterprise.name}",
            enterprise=enterprise,
            history=history.enterprise_history(app_session(), enterprise),
        )
