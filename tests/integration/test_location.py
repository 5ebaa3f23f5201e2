"""Location with a place: the inspection page reads the recorded position against the enterprise's
registered coordinates (or says the enterprise has none)."""

from __future__ import annotations

from enforcement.models import Enterprise
from enforcement.services import checklists
from support import factories
from support.demo import db
from support.web import logged_in


def begun(app, *, registered: tuple[float, float] | None) -> int:
    """An inspection recorded at (28.68, 115.9) of a new 东湖区 enterprise."""
    with db(app) as session:
        with factories.as_system():
            made, _pieces = factories.confined_enterprise(session)
            if registered is not None:
                made.latitude, made.longitude = registered
                session.commit()
        task = factories.task(session, session.get(Enterprise, made.id))
        return factories.inspection(session, checklists.platform_of(app), task).id


def test_the_inspection_page_shows_the_distance_to_the_enterprises_registered_position(app):
    inspection_id = begun(app, registered=(28.6790, 115.9))  # 0.001° of latitude south: ~111 m
    page = logged_in(app, "donghu").get(f"/workbench/inspection/{inspection_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "距企业登记位置约 110 米" in body and "登记地址：测试路1号" in body


def test_the_inspection_page_says_when_the_enterprise_has_no_coordinates(app):
    inspection_id = begun(app, registered=None)
    body = (
        logged_in(app, "donghu")
        .get(f"/workbench/inspection/{inspection_id}")
        .get_data(as_text=True)
    )
    assert "该企业未登记坐标" in body
