"""A small hand-made data set in 青海 (no demo data there) whose every figure is counted by hand.

西宁市 城东区 (630102): E1 (machinery, 有限空间), E2 (machinery, 粉尘涉爆), E3 (closed: never counted).
西宁市 城中区 (630103): E4 (light_industry, 有限空间 + 粉尘涉爆).
海东市 乐都区 (630202): E5 (machinery), never inspected.

Inspections (all finished; teams X,Y / X / Y / X):
  I1 E1 2026-03-10: YX-01 不符合 → H1 (major, measure deadline confirmed, then rectifying);
                    ZR-01 符合; ZR-02 不符合 → H2 (immediate confirmed, rectified)
  I2 E2 2026-04-05: FC-01 符合; ZR-01 符合
  I3 E4 2026-05-20: FC-01 不符合 → H3 (file_case confirmed, escalated); YX-01 符合
  I4 E1 2026-06-01: YX-01 不符合 again → H4 (open, measure deadline not confirmed); ZR-02 符合
Case C1 on E4 filed 2026-05-25: a fine of 50,000 (paid) and a warning, decided 2026-06-10.
A plan of 西宁市 approved for 2026. Enforcers X and Y of 西宁市应急管理局; X trained in 2026.
Declared for 2026: 城东区 4 enterprises, 2 cases; 城中区 2 enterprises, 3 cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from enforcement.models import (
    AnswerSet,
    Case,
    CompiledSchema,
    Department,
    Enforcer,
    Enterprise,
    Hazard,
    Inspection,
    Penalty,
    Plan,
    Task,
    TrainingRecord,
)
from enforcement.models.statistics import RegionTarget
from support.factories import as_system, new_uscc

QINGHAI, XINING, CHENGDONG, CHENGZHONG, HAIDONG, LEDU = (
    "630000",
    "630100",
    "630102",
    "630103",
    "630200",
    "630202",
)
YX01, FC01, ZR01, ZR02 = "confined_space.yx01", "dust.fc01", "duty7.zr01", "duty7.zr02"


@dataclass
class Built:
    enterprises: dict[str, int] = field(default_factory=dict)
    hazards: dict[str, int] = field(default_factory=dict)
    enforcers: dict[str, int] = field(default_factory=dict)


def _schema(session: Any, plugin_id: str) -> str:
    found = session.scalar(
        select(CompiledSchema.sha256).where(CompiledSchema.plugin_id == plugin_id).limit(1)
    )
    if found is None:  # a stand-in compiled schema: the answers below are all the reports read
        found = f"statistics-test-{plugin_id}".ljust(64, "0")[:64]
        session.add(
            CompiledSchema(
                sha256=found, plugin_id=plugin_id, version="0", answers_schema={}, ui_schema={}
            )
        )
        session.flush()
    return found


def _enterprise(
    session: Any, region: str, name: str, sector: str, tags: list[str], **kw: Any
) -> Enterprise:
    made = Enterprise(
        name=name,
        uscc=new_uscc(region),
        region_code=region,
        sector=sector,
        address="统计测试路1号",
        **kw,
    )
    made.tags = tags
    session.add(made)
    session.flush()
    return made


def _inspect(
    session: Any,
    target: Enterprise,
    day: dt.date,
    team: list[Enforcer],
    answers: dict[str, dict[str, str]],
) -> Inspection:
    task = Task(enterprise_id=target.id, region_code=target.region_code, due_on=day, status="done")
    task.enforcers = team
    session.add(task)
    session.flush()
    inspection = Inspection(
        task_id=task.id,
        enterprise_id=target.id,
        region_code=target.region_code,
        started_at=dt.datetime.combine(day, dt.time(9)),
        participants=[{"name": "测试负责人"}],
    )
    session.add(inspection)
    session.flush()
    ids = {}
    for plugin_id, given in answers.items():
        answer_set = AnswerSet(
            enterprise_id=target.id,
            plugin_id=plugin_id,
            plugin_version="1.0.0",
            schema_hash=_schema(session, plugin_id),
            answers={item: {"answer": value} for item, value in given.items()},
            status="submitted",
        )
        session.add(answer_set)
        session.flush()
        ids[plugin_id] = answer_set.id
    inspection.answer_set_ids = ids
    session.flush()
    return inspection


def _hazard(
    session: Any,
    inspection: Inspection,
    item: str,
    *,
    major: bool = False,
    measure: str,
    confirmed: bool,
) -> Hazard:
    hazard = Hazard(
        inspection_id=inspection.id,
        enterprise_id=inspection.enterprise_id,
        region_code=inspection.region_code,
        plugin_id=item.split(".")[0],
        plugin_version="1.0.0",
        item_id=item,
        title=f"测试隐患 {item}",
        is_major=major,
        measure=measure,
        measure_confirmed=confirmed,
        status="open",
        created_at=inspection.started_at,
    )
    session.add(hazard)
    session.flush()
    return hazard


def _finish(session: Any, inspection: Inspection) -> None:
    inspection.status = "finished"
    inspection.finished_at = inspection.started_at + dt.timedelta(hours=2)
    session.commit()


def build(session: Any) -> Built:
    """The data set above, committed step by step the way the services commit (as the system)."""
    built = Built()
    with as_system():
        department = Department(
            name="西宁市应急管理局（统计测试）", region_code=XINING, level="city"
        )
        session.add(department)
        session.flush()
        x = Enforcer(name="统计甲", certificate_no="QH-STAT-0001", department_id=department.id)
        y = Enforcer(name="统计乙", certificate_no="QH-STAT-0002", department_id=department.id)
        session.add_all([x, y])
        session.flush()
        session.add(
            TrainingRecord(enforcer_id=x.id, date=dt.date(2026, 3, 1), course="粉尘防爆", hours=8)
        )
        built.enforcers = {"X": x.id, "Y": y.id}
        e1 = _enterprise(session, CHENGDONG, "青海统计甲有限公司", "machinery", ["confined_space"])
        e2 = _enterprise(session, CHENGDONG, "青海统计乙有限公司", "machinery", ["dust"])
        e3 = _enterprise(
            session, CHENGDONG, "青海统计丙有限公司", "machinery", ["dust"], status="closed"
        )
        e4 = _enterprise(
            session, CHENGZHONG, "青海统计丁有限公司", "light_industry", ["confined_space", "dust"]
        )
        e5 = _enterprise(session, LEDU, "青海统计戊有限公司", "machinery", [])
        built.enterprises = {"E1": e1.id, "E2": e2.id, "E3": e3.id, "E4": e4.id, "E5": e5.id}
        session.add(
            Plan(
                title="2026年西宁市统计测试计划",
                year=2026,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
                kind="special",
                region_code=XINING,
                status="approved",
                item_set_ids=["confined_space"],
            )
        )
        session.add_all(
            [
                RegionTarget(
                    region_code=CHENGDONG, year=2026, enterprises_expected=4, cases_expected=2
                ),
                RegionTarget(
                    region_code=CHENGZHONG, year=2026, enterprises_expected=2, cases_expected=3
                ),
            ]
        )
        session.commit()

        i1 = _inspect(
            session,
            e1,
            dt.date(2026, 3, 10),
            [x, y],
            {
                "confined_space": {YX01: "non_compliant"},
                "duty7": {ZR01: "compliant", ZR02: "non_compliant"},
            },
        )
        h1 = _hazard(session, i1, YX01, major=True, measure="deadline", confirmed=True)
        h2 = _hazard(session, i1, ZR02, measure="immediate", confirmed=True)
        _finish(session, i1)
        h1.status = "rectifying"
        h2.status = "rectified"
        session.commit()

        i2 = _inspect(
            session,
            e2,
            dt.date(2026, 4, 5),
            [x],
            {"dust": {FC01: "compliant"}, "duty7": {ZR01: "compliant"}},
        )
        _finish(session, i2)

        i3 = _inspect(
            session,
            e4,
            dt.date(2026, 5, 20),
            [y],
            {"dust": {FC01: "non_compliant"}, "confined_space": {YX01: "compliant"}},
        )
        h3 = _hazard(session, i3, FC01, measure="file_case", confirmed=True)
        _finish(session, i3)
        case = Case(
            number="青统测〔2026〕1号",
            title="青海统计丁有限公司粉尘案",
            enterprise_id=e4.id,
            region_code=CHENGZHONG,
            stage="execution",
            discovered_on=dt.date(2026, 5, 20),
            filed_on=dt.date(2026, 5, 25),
        )
        session.add(case)
        session.flush()
        h3.status = "escalated"
        h3.case_id = case.id
        session.add_all(
            [
                Penalty(
                    case_id=case.id,
                    region_code=CHENGZHONG,
                    kind="fine",
                    amount=Decimal("50000.00"),
                    basis="《安全生产法》第九十九条",
                    decision_no="青统测罚〔2026〕1号",
                    decided_on=dt.date(2026, 6, 10),
                    paid_amount=Decimal("50000.00"),
                ),
                Penalty(
                    case_id=case.id,
                    region_code=CHENGZHONG,
                    kind="warning",
                    basis="《安全生产法》第九十九条",
                    decision_no="青统测罚〔2026〕1号",
                    decided_on=dt.date(2026, 6, 10),
                ),
            ]
        )
        session.commit()

        i4 = _inspect(
            session,
            e1,
            dt.date(2026, 6, 1),
            [x],
            {"confined_space": {YX01: "non_compliant"}, "duty7": {ZR02: "compliant"}},
        )
        h4 = _hazard(session, i4, YX01, measure="deadline", confirmed=False)
        _finish(session, i4)
        built.hazards = {"H1": h1.id, "H2": h2.id, "H3": h3.id, "H4": h4.id}
    return built
