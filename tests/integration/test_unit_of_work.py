"""One unit of work per use case: the outermost call commits, nested calls join and commit nothing, an
error rolls back everything once; plugin hooks run after the commit and cannot undo it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import take_failures, unit_of_work, write_intent
from enforcement.hookspecs import hookimpl
from enforcement.models import Case, Department, Document, Enforcer, Enterprise
from enforcement.services import cases, documents
from enforcement.services.checklists import platform_of
from support.factories import enterprise as add_enterprise

DONGHU = "360102"
FILED = dt.date(2026, 3, 2)


class FailingDocking:
    """A bureau's plugin whose provincial platform is down."""

    @hookimpl
    def case_transitioned(
        self, case: Any, action: str, source: str, target: str, actor: str
    ) -> None:
        raise RuntimeError("省级平台不可达")


@pytest.fixture
def engine(app: Any) -> Any:
    with app.app_context():
        return app.appbuilder.session.get_bind()


@pytest.fixture
def pm(app: Any) -> Any:
    with app.app_context():
        return platform_of(app).pm


@pytest.fixture
def own(app: Any, engine: Any) -> Iterator[Session]:
    """A session of its own; `own.info["commits"]` counts the database's COMMITs (not SAVEPOINTs)."""
    with app.app_context(), Session(bind=engine) as session:
        session.info["commits"] = 0

        def counted(_connection: Any) -> None:
            session.info["commits"] += 1

        event.listen(engine, "commit", counted)
        try:
            yield session
        finally:
            event.remove(engine, "commit", counted)


def new_case(session: Session, enterprise: Enterprise | None = None) -> Case:
    """A case filed against `enterprise` (default: a new one, committed by the test helper)."""
    enterprise = enterprise or add_enterprise(session, DONGHU)
    team = session.scalars(
        select(Enforcer)
        .join(Department, Enforcer.department_id == Department.id)
        .where(Department.region_code == DONGHU)
        .order_by(Enforcer.id)
        .limit(2)
        .execution_options(**{UNSCOPED: True})
    ).all()
    return cases.open_case(
        session,
        enterprise,
        team,
        source="inspection",
        facts="现场检查发现除尘系统未设置泄爆装置。",
        discovered_on=FILED - dt.timedelta(days=1),
        evidence_taken_on=FILED - dt.timedelta(days=1),
        filed_on=FILED,
        actor="donghu",
    )


def committed(engine: Any, model: type, ident: Any) -> Any:
    """The row as another connection sees it: only what was committed."""
    token = write_intent.set(False)  # a plain reader, also inside the unit under test (SQLite)
    try:
        with Session(bind=engine) as other:
            return other.get(model, ident)
    finally:
        write_intent.reset(token)


def test_a_plugin_whose_case_transitioned_raises_leaves_the_transition_saved_and_is_reported(
    own, engine, pm
):
    case = new_case(own)
    plugin = FailingDocking()
    pm.register(plugin)
    try:
        cases.transition(own, case, "investigate", today=FILED + dt.timedelta(days=1), pm=pm)
    finally:
        pm.unregister(plugin)
    assert committed(engine, Case, case.id).stage == "investigation"
    failures = take_failures(own)
    assert [(f.label, f.error) for f in failures] == [("case_transitioned", "省级平台不可达")]
    assert take_failures(own) == []  # reported once


def test_a_failing_plugin_never_turns_a_saved_transition_into_an_error_page(app, client, pm):
    from support.web import api_token

    with app.app_context():
        case = new_case(app.appbuilder.session)
        case_id, version = case.id, case.version
    plugin = FailingDocking()
    pm.register(plugin)
    try:
        response = client.post(
            f"/api/v1/case/{case_id}/transition",
            json={"action": "investigate", "version": version},
            headers=api_token(client, "donghu"),
        )
    finally:
        pm.unregister(plugin)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with app.app_context():
        assert committed(app.appbuilder.session.get_bind(), Case, case_id).stage == "investigation"


def test_a_transition_without_an_app_or_a_plugin_manager_fails_loudly_and_saves_nothing(engine):
    with Session(bind=engine) as session:
        case = new_case(session)
        with pytest.raises(RuntimeError, match="pm="):
            cases.transition(session, case, "investigate", today=FILED + dt.timedelta(days=1))
        assert committed(engine, Case, case.id).stage == "filed"


def test_two_services_called_inside_one_unit_commit_once(own, engine, pm):
    enterprise = add_enterprise(own, DONGHU)
    own.commit()  # no read transaction left open: every commit counted below is the unit's
    own.info["commits"] = 0
    with unit_of_work(own):
        case = new_case(own, enterprise)
        cases.transition(own, case, "investigate", today=FILED + dt.timedelta(days=1), pm=pm)
        assert own.info["commits"] == 0
        assert committed(engine, Case, case.id) is None  # nothing visible before the unit ends
    assert own.info["commits"] == 1
    assert committed(engine, Case, case.id).stage == "investigation"


def test_a_failure_in_the_second_service_of_a_unit_rolls_back_the_first(own, engine, pm):
    enterprise = add_enterprise(own, DONGHU)
    own.commit()
    own.info["commits"] = 0
    with pytest.raises(cases.IllegalTransition):
        with unit_of_work(own):
            case = new_case(own, enterprise)
            number = case.number
            cases.transition(own, case, "archive", today=FILED, pm=pm)  # not from 立案
    assert own.info["commits"] == 0
    with Session(bind=engine) as other:
        assert other.scalar(select(Case.id).where(Case.number == number)) is None


def test_a_nested_service_call_does_not_commit(own, engine):
    case = new_case(own)
    own.commit()
    own.info["commits"] = 0
    with unit_of_work(own):
        cases.update_case_facts(own, case, facts="现场检查发现积尘未清理，除尘器未设泄爆口。")
        assert own.info["commits"] == 0
        assert committed(engine, Case, case.id).facts.startswith("现场检查发现除尘系统")
    assert own.info["commits"] == 1
    assert committed(engine, Case, case.id).facts.startswith("现场检查发现积尘")


def test_a_lost_optimistic_lock_inside_an_outer_unit_is_still_a_stale_case(engine, pm):
    with Session(bind=engine) as setup:
        case_id = new_case(setup).id
    with Session(bind=engine) as first, Session(bind=engine, expire_on_commit=False) as second:
        theirs = second.get(Case, case_id)
        second.commit()  # keeps the loaded (soon stale) case
        mine = first.get(Case, case_id)
        cases.transition(first, mine, "investigate", today=FILED + dt.timedelta(days=1), pm=pm)
        with pytest.raises(cases.StaleCase, match="刷新"):
            with unit_of_work(second):
                cases.update_case_facts(second, theirs, facts="另一位执法人员的修改内容。")
    assert committed(engine, Case, case_id).facts.startswith("现场检查发现除尘系统")


def _draft_ready(session: Session) -> Document:
    enterprise = session.scalars(
        select(Enterprise)
        .where(Enterprise.region_code == DONGHU, Enterprise.deleted_at.is_(None))
        .order_by(Enterprise.id)
    ).first()
    document = documents.draft(session, "rectification_order", enterprise, "donghu")
    blanks = documents.blank_required(document)
    documents.update_free_text(session, document, {path: "（已填写）" for path in blanks})
    return document


def test_finalize_inside_a_unit_commits_nothing_of_the_callers_and_rolls_back_with_it(
    app, own, engine
):
    data_dir = Path(app.config["DATA_DIR"])
    document = _draft_ready(own)
    enterprise = own.get(Enterprise, document.enterprise_id)
    before = enterprise.contact_name
    own.commit()
    own.info["commits"] = 0
    with pytest.raises(RuntimeError, match="caller gives up"):
        with unit_of_work(own):
            enterprise.contact_name = "待定"  # the caller's pending work
            documents.finalize(own, document, "donghu", data_dir=data_dir)
            assert own.info["commits"] == 0
            raise RuntimeError("the caller gives up")
    assert own.info["commits"] == 0
    saved = committed(engine, Document, document.id)
    assert (saved.status, saved.number, saved.file_path) == ("draft", None, None)
    assert committed(engine, Enterprise, enterprise.id).contact_name == before


def test_finalize_inside_a_unit_numbers_at_the_units_commit_and_stores_the_pdf_after_it(
    app, own, engine
):
    data_dir = Path(app.config["DATA_DIR"])
    document = _draft_ready(own)
    own.commit()
    own.info["commits"] = 0
    with unit_of_work(own):
        documents.finalize(own, document, "donghu", data_dir=data_dir)
        assert own.info["commits"] == 0
        assert committed(engine, Document, document.id).status == "draft"
    saved = committed(engine, Document, document.id)
    assert saved.status == "final" and saved.number and saved.file_path
    assert (data_dir / saved.file_path).is_file()
    assert take_failures(own) == []
