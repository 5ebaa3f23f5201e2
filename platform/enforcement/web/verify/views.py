"""扫码验真: the public page a document's QR code opens, and the printed equipment label.

`/verify/<token>` needs no login and shows exactly three things (文号, status, the PDF's SHA-256);
a token that is not a finalized document's answers 404, and lookups are rate-limited per client
address (VERIFY_RATE_LIMIT, registered in web/registry.py). An equipment label's QR code opens
`/equipment-label/<id>/checks`, which needs a login and the equipment's jurisdiction (another
region's equipment does not exist here: 404, as everywhere).
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from enforcement.documents.qr import qr_data_uri
from enforcement.services import equipment_checks, verification
from enforcement.web.base import app_session


class VerifyView(BaseView):
    """Public: what a QR code on a finalized 执法文书 opens."""

    route_base = "/verify"
    default_view = "show"

    @expose("/<token>")
    def show(self, token: str) -> Any:
        found = verification.lookup(app_session(), token)
        if found is None:
            abort(404)
        # A page of its own (not the app's layout): no menu, no login link, nothing but the answer.
        return render_template("enforcement/verify/show.html", found=found)


class EquipmentLabelView(BaseView):
    """设备台账 → 设备标签: a printable label with a QR code, and the equipment's checks it opens."""

    route_base = "/equipment-label"
    default_view = "label"

    def _equipment_or_404(self, equipment_id: int) -> Any:
        equipment = equipment_checks.equipment(app_session(), equipment_id)
        if equipment is None:
            abort(404)
        return equipment

    @expose("/<int:equipment_id>")
    @has_access
    def label(self, equipment_id: int) -> Any:
        equipment = self._equipment_or_404(equipment_id)
        target = verification.base_url().rstrip("/") + url_for(
            "EquipmentLabelView.checks", equipment_id=equipment.id
        )
        return self.render_template(
            "enforcement/verify/label.html",
            equipment=equipment,
            target=target,
            qr=qr_data_uri(target, scale=6),
        )

    @expose("/<int:equipment_id>/checks")
    @has_access
    def checks(self, equipment_id: int) -> Any:
        equipment = self._equipment_or_404(equipment_id)
        return self.render_template(
            "enforcement/verify/checks.html",
            equipment=equipment,
            **equipment_checks.checks_of(app_session(), equipment),
        )
