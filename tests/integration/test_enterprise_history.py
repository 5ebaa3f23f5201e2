"""The history of an enterprise: every inspection, hazard, order, case and penalty on one page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from enforcement.models.case import Case, Penalty

pytestmark = pytest.mark.shares_demo_db


def test_enterprise_history_lists_its_cases_and_penalties(app: Any, as_user: Any) -> None:
    with app.app_context():
        session = app.appbuilder.session
        penalty = session.scalars(
            select(Penalty).where(Penalty.decision_no.is_not(None)).order_by(Penalty.id)
        ).first()
        assert penalty is not None, "the demo data has a decided penalty"
        case = session.get(Case, penalty.case_id)
        enterprise_id, number, decision_no = case.enterprise_id, case.number, penalty.decision_no
        other = session.scalars(
            select(Case).where(Case.enterprise_id != enterprise_id).order_by(Case.id)
        ).first()
        other_number = other.number
    html = (
        as_user("admin")
        .get(f"/workbench/enterprise/{enterprise_id}/history")
        .get_data(as_text=True)
    )
    assert "立案查处" in html and "行政处罚" in html
    assert number in html
    assert decision_no in html
    assert other_number not in html
