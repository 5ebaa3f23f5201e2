"""Planning rules (domain/planning.py): the 双随机 draw, teams of certified inspectors, due dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from enforcement.domain import planning
from enforcement.domain.errors import FieldError
from enforcement.domain.planning import Candidate, Inspector, SelectionRule

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
ENTERPRISES = [
    Candidate(
        id=n,
        region_code="360102" if n % 2 else "360103",
        sector="machinery",
        tags=("dust",) if n % 3 == 0 else ("confined_space",),
    )
    for n in range(1, 31)
]
INSPECTORS = (
    [
        Inspector(id=n, name=f"执法{n}", certificate_no=f"36010{n:03d}", region_code="360102")
        for n in range(1, 5)
    ]
    + [
        Inspector(id=10 + n, name=f"市局{n}", certificate_no=f"36019{n:03d}", region_code="360100")
        for n in range(1, 4)
    ]
    + [Inspector(id=99, name="无证", certificate_no="", region_code="360102")]
)


def test_the_draw_is_reproducible_with_the_same_seed():
    rule = SelectionRule(sample_size=8)
    first = planning.draw(ENTERPRISES, INSPECTORS, rule, 42, PERIOD)
    again = planning.draw(list(reversed(ENTERPRISES)), list(reversed(INSPECTORS)), rule, 42, PERIOD)
    assert first.assignments == again.assignments
    other = planning.draw(ENTERPRISES, INSPECTORS, rule, 43, PERIOD)
    assert first.assignments != other.assignments


def test_a_sample_draws_that_many_enterprises_among_the_matching_ones():
    result = planning.draw(
        ENTERPRISES, INSPECTORS, SelectionRule(tags=("dust",), sample_size=4), 1, PERIOD
    )
    assert len(result.assignments) == 4
    dust = {c.id for c in ENTERPRISES if "dust" in c.tags}
    assert {a.enterprise_id for a in result.assignments} <= dust


def test_every_drawn_task_has_two_certified_inspectors_who_may_inspect_there():
    result = planning.draw(ENTERPRISES, INSPECTORS, SelectionRule(), 7, PERIOD)
    by_id = {i.id: i for i in INSPECTORS}
    regions = {c.id: c.region_code for c in ENTERPRISES}
    for assignment in result.assignments:
        team = [by_id[i] for i in assignment.inspector_ids]
        assert len(set(assignment.inspector_ids)) >= 2
        assert all(i.certified for i in team)
        assert all(i.may_inspect(regions[assignment.enterprise_id]) for i in team)
        assert PERIOD[0] <= assignment.due_on <= PERIOD[1]


def test_an_inspector_without_a_certificate_is_never_drawn():
    result = planning.draw(ENTERPRISES, INSPECTORS, SelectionRule(), 3, PERIOD)
    assert result.assignments
    assert all(99 not in a.inspector_ids for a in result.assignments)
    # The same inspector once certified is drawn like the others.
    certified = [replace(i, certificate_no="36010999") if i.id == 99 else i for i in INSPECTORS]
    again = planning.draw(ENTERPRISES, certified, SelectionRule(), 3, PERIOD)
    assert any(99 in a.inspector_ids for a in again.assignments)


def test_an_enterprise_without_two_eligible_inspectors_is_reported_not_assigned():
    remote = [Candidate(id=500, region_code="510104", sector="machinery")]
    result = planning.draw(remote, INSPECTORS, SelectionRule(), 3, PERIOD)
    assert result.assignments == []
    assert "不足 2 名" in result.unassigned[500]


def test_a_recused_inspector_is_not_assigned_to_that_enterprise():
    only = [Candidate(id=1, region_code="360102", sector="machinery")]
    recused = {(i, 1) for i in (1, 2, 3, 11, 12)}
    result = planning.draw(only, INSPECTORS, SelectionRule(), 5, PERIOD, recused=recused)
    assert set(result.assignments[0].inspector_ids) == {4, 13}


def test_a_task_needs_two_certified_inspectors():
    reasons = planning.validate_task(
        enterprise_region="360102", inspectors=[INSPECTORS[0], INSPECTORS[-1]], due_on=PERIOD[1]
    )
    assert any("两名以上持有执法证" in r.message for r in reasons)
    assert any("未登记执法证号" in r.message for r in reasons)
    assert (
        planning.validate_task(
            enterprise_region="360102", inspectors=INSPECTORS[:2], due_on=PERIOD[1]
        )
        == []
    )


def test_the_same_inspector_twice_does_not_make_two():
    reasons = planning.validate_task(
        enterprise_region="360102", inspectors=[INSPECTORS[0], INSPECTORS[0]], due_on=PERIOD[1]
    )
    assert any("重复" in r.message for r in reasons)
    assert any("两名以上" in r.message for r in reasons)


def test_a_task_is_due_within_the_plan_period():
    reasons = planning.validate_task(
        enterprise_region="360102",
        inspectors=INSPECTORS[:2],
        due_on=dt.date(2027, 1, 5),
        period=PERIOD,
    )
    assert reasons == [
        FieldError("/due_on", "任务完成期限应在计划期间内（2026-01-01 至 2026-12-31）")
    ]


def test_an_inspector_outside_the_jurisdiction_cannot_take_the_task():
    outsider = Inspector(id=70, name="外区", certificate_no="51010400001", region_code="510104")
    reasons = planning.validate_task(
        enterprise_region="360102", inspectors=[INSPECTORS[0], outsider], due_on=PERIOD[1]
    )
    assert any("无管辖权" in r.message for r in reasons)


def test_a_plan_ends_after_it_starts():
    assert planning.validate_plan(
        title="计划", year=2026, kind="annual", start=PERIOD[1], end=PERIOD[0]
    ) == [FieldError("/period_end", "计划结束日期不能早于开始日期")]
    assert planning.validate_plan(title="", year=2026, kind="monthly", start=None, end=None) == [
        FieldError("/title", "请填写计划名称"),
        FieldError("/kind", "计划类型应为年度、季度或专项"),
        FieldError("/period_start", "请填写计划起止日期"),
    ]


def test_rectification_with_a_deadline_measure_needs_a_deadline():
    issued = dt.date(2026, 3, 1)
    assert planning.validate_rectification([("deadline", None)], issued) == [
        "第 1 项隐患为责令限期整改，须填写整改期限"
    ]
    assert planning.validate_rectification([("deadline", dt.date(2026, 2, 1))], issued)
    assert planning.validate_rectification([("deadline", dt.date(2026, 4, 1))], issued) == []


def test_a_recheck_follows_the_deadline_or_the_completion_report():
    deadline = dt.date(2026, 4, 1)
    assert not planning.recheck_due(deadline, None, dt.date(2026, 4, 1))
    assert planning.recheck_due(deadline, None, dt.date(2026, 4, 2))
    assert planning.recheck_due(deadline, dt.date(2026, 3, 20), dt.date(2026, 3, 20))


def test_a_major_hazard_is_proposed_for_a_case():
    assert planning.measure_from_suggestion(["order_rectification"], is_major=True) == "file_case"
    assert planning.measure_from_suggestion(["order_rectification", "fine"], False) == "deadline"


def test_a_non_major_finding_proposes_rectification_not_a_case():
    # Legal review finding 6: only a 重大事故隐患 is proposed for 立案查处; the rest for 责令限期整改,
    # even where the penalty basis allows 停产停业整顿 or lists 立案查处 (it used to propose those).
    for measures in (["suspend_operation"], ["order_immediate_rectification"], ["file_case"]):
        assert planning.measure_from_suggestion(measures, is_major=False) == "deadline"
