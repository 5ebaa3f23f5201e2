"""Every mapped class declares who may see it and whether it is audited; one that does not is refused."""

from __future__ import annotations

import pytest
from flask_appbuilder import Model
from sqlalchemy import Integer, String, create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

import enforcement.models  # noqa: F401 - maps every model
from enforcement.db.audit import install_audit
from enforcement.db.policies import (
    Public,
    UndeclaredPolicy,
    audit_entity,
    is_framework_owned,
    policy_problems,
    scoping_policy,
)
from enforcement.db.scoping import UNSCOPED, install_scoping

# Flask-AppBuilder's own security tables: no enforcement data, written by FAB itself.
FRAMEWORK_OWNED = {
    "ApiKey",
    "Group",
    "Permission",
    "PermissionView",
    "RegisterUser",
    "Role",
    "User",
    "ViewMenu",
}
# Tables the session does not filter. Adding one is a decision: the class must say why.
PUBLIC = {
    "AppUser",
    "AuditLog",
    "CalendarYear",  # national holiday arrangement, the same for every region
    "ChecklistOwner",
    "ChecklistUpload",
    "CompiledSchema",
    "DocumentCounter",
    "EnterpriseTag",
    "Region",
}
NOT_AUDITED = {
    "AuditLog",
    "CompiledSchema",
    "DocumentCounter",
    "DockingBatch",  # the log of pushes itself; what a push changes is audited on the records
    "EnterpriseTag",
    "EvidenceFile",
    # 统计查询: derived from the audited inspections and hazards in the same flush, never edited
    "CountyAnswer",
    "ItemCell",
    "ItemResult",
    "ItemRollup",
    "Region",
}


def _ours() -> list[type]:
    return [m.class_ for m in Model.registry.mappers if not is_framework_owned(m.class_)]


def test_every_mapped_class_declares_its_scoping_and_audit_policy():
    assert policy_problems(Model.registry.mappers) == []


def test_only_flask_appbuilders_own_tables_are_framework_owned():
    owned = {m.class_.__name__ for m in Model.registry.mappers if is_framework_owned(m.class_)}
    assert owned == FRAMEWORK_OWNED


def test_public_and_unaudited_tables_are_the_reviewed_ones():
    assert {cls.__name__ for cls in _ours() if scoping_policy(cls) is Public} == PUBLIC
    assert {cls.__name__ for cls in _ours() if audit_entity(cls) is None} == NOT_AUDITED


class _Throwaway(DeclarativeBase):
    """A registry of its own: nothing here reaches the application's metadata."""


class Leaky(_Throwaway):
    __tablename__ = "leaky"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(20))


class HalfDeclared(Public, _Throwaway):
    """Declares its scoping, but is silent about audit. (Public, not RegionScoped: a scoped class
    would join the application's criteria for the rest of the test session.)"""

    __tablename__ = "half_declared"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_the_check_fails_for_a_model_without_a_policy():
    problems = policy_problems(_Throwaway.registry.mappers)
    assert any("Leaky: " in p and "scoping policy" in p for p in problems)
    assert any("Leaky: " in p and "audit policy" in p for p in problems)
    assert any("HalfDeclared: " in p and "audit policy" in p for p in problems)
    assert not any("HalfDeclared: " in p and "scoping policy" in p for p in problems)


@pytest.fixture
def throwaway_session():
    engine = create_engine("sqlite://")
    _Throwaway.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(Leaky), [{"id": 1, "secret": "另一个县的数据"}])
    factory = sessionmaker(engine)
    install_scoping(factory)
    install_audit(factory)
    with factory() as session:
        yield session
    engine.dispose()


def test_a_query_of_a_model_without_a_policy_raises_instead_of_running_unscoped(
    throwaway_session,
):
    with pytest.raises(UndeclaredPolicy, match="Leaky"):
        throwaway_session.scalars(select(Leaky)).all()
    # Saying UNSCOPED does not make an undeclared class legal.
    with pytest.raises(UndeclaredPolicy, match="Leaky"):
        throwaway_session.scalars(select(Leaky).execution_options(**{UNSCOPED: True})).all()
    # Nor does declaring only half.
    with pytest.raises(UndeclaredPolicy, match="HalfDeclared"):
        throwaway_session.scalars(select(HalfDeclared)).all()


def test_a_flush_of_a_model_without_a_policy_raises(throwaway_session):
    throwaway_session.add(Leaky(id=2, secret="x"))
    with pytest.raises(UndeclaredPolicy, match="Leaky"):
        throwaway_session.flush()
