"""监督检查计划 → 执法任务: selection, the 双随机 draw, task breakdown and its rules (pure Python).

Rules kept here, with their sources:

* 双随机: "依随机抽查工作实施细则随机抽取检查对象及人员" (安全生产执法检查程序流程图, research-2.md §1.5).
  The draw takes a seed and sorts its inputs first, so the same seed over the same data gives the
  same enterprises and the same inspectors: the seed is recorded on the plan and anyone can re-run it.
* 两名及以上执法人员出示执法证 (same source; 15号令 第二十四条, research.md §4): every task has at least
  two distinct inspectors, each holding a 执法证号.
* 管辖: an inspector inspects only inside their department's jurisdiction (the region subtree).
* 回避 (15号令 第二十五条, research.md §4): an inspector with a declared conflict with an enterprise is
  never assigned to it.
* A task's due date lies inside the plan period; an enterprise appears at most once per plan.

Everything is plain data in, plain data out: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from enforcement.domain.errors import FieldError
from enforcement.domain.jurisdiction import Jurisdiction

MIN_INSPECTORS = 2

PLAN_KINDS: dict[str, str] = {"annual": "年度", "quarterly": "季度", "special": "专项"}
PLAN_STATUSES: dict[str, str] = {"draft": "草稿", "approved": "已批准"}
TASK_KINDS: dict[str, str] = {"inspection": "检查", "recheck": "复查"}
TASK_STATUSES: dict[str, str] = {
    "pending": "待检查",
    "in_progress": "检查中",
    "done": "已完成",
    "cancelled": "已取消",
}
SCHEME_STATUSES: dict[str, str] = {"draft": "草稿", "approved": "已批准"}
INSPECTION_STATUSES: dict[str, str] = {"in_progress": "检查中", "finished": "已完成"}
INSPECTION_METHODS: dict[str, str] = {
    "documents": "查阅资料",
    "site": "现场检查",
    "interview": "询问",
}
# 问题隐患 statuses; `escalated` is set by the case procedure (services/cases.escalate_hazards).
HAZARD_STATUSES: dict[str, str] = {
    "open": "待整改",
    "rectifying": "整改中",
    "rectified": "已整改",
    "escalated": "已立案查处",
}
OPEN_HAZARD_STATUSES = ("open", "rectifying")
# 处理措施 an inspector confirms for a hazard (the notice's four).
HAZARD_MEASURES: dict[str, str] = {
    "immediate": "责令立即整改",
    "deadline": "责令限期整改",
    "on_site": "现场处理措施",
    "file_case": "立案查处",
}


def label(table: dict[str, str], code: str | None) -> str:
    return "" if code is None else table.get(code, code)


def new_seed() -> int:
    """A fresh seed for a draw (recorded on the plan so the draw can be repeated)."""
    return secrets.randbelow(2**31 - 1) + 1


@dataclass(frozen=True)
class Candidate:
    """An enterprise as the planner sees it."""

    id: int
    region_code: str
    sector: str
    tags: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Inspector:
    """An enforcer: `region_code` is their department's region (None: national)."""

    id: int
    name: str
    certificate_no: str | None
    region_code: str | None

    @property
    def certified(self) -> bool:
        return bool(self.certificate_no and self.certificate_no.strip())

    def may_inspect(self, region_code: str) -> bool:
        return Jurisdiction(self.region_code).contains(region_code)


@dataclass(frozen=True)
class SelectionRule:
    """Which enterprises a plan covers: by tag, sector, region; optionally a random sample of them."""

    tags: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    region_code: str | None = None
    sample_size: int | None = None  # None: every matching enterprise
    inspectors_per_task: int = MIN_INSPECTORS

    def to_json(self) -> dict[str, Any]:
        return {
            "tags": list(self.tags),
            "sectors": list(self.sectors),
            "region_code": self.region_code,
            "sample_size": self.sample_size,
            "inspectors_per_task": self.inspectors_per_task,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SelectionRule:
        data = data or {}
        return cls(
            tags=tuple(data.get("tags") or ()),
            sectors=tuple(data.get("sectors") or ()),
            region_code=data.get("region_code") or None,
            sample_size=data.get("sample_size") or None,
            inspectors_per_task=int(data.get("inspectors_per_task") or MIN_INSPECTORS),
        )


def select_enterprises(candidates: Iterable[Candidate], rule: SelectionRule) -> list[Candidate]:
    """Enterprises matching the rule (any of the tags, any of the sectors, inside the region), by id."""
    region = Jurisdiction(rule.region_code)
    chosen = [
        c
        for c in candidates
        if (not rule.tags or set(rule.tags) & set(c.tags))
        and (not rule.sectors or c.sector in rule.sectors)
        and region.contains(c.region_code)
    ]
    return sorted(chosen, key=lambda c: c.id)


@dataclass(frozen=True)
class Assignment:
    enterprise_id: int
    inspector_ids: tuple[int, ...]
    due_on: dt.date


@dataclass
class DrawResult:
    seed: int
    assignments: list[Assignment]
    # Enterprises no valid team could be drawn for, with the reason (shown to the leader).
    unassigned: dict[int, str] = field(default_factory=dict)


def spread_due_dates(start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    """Due dates spread evenly over the period, the last one on the period's end."""
    if count <= 0:
        return []
    days = (end - start).days
    return [start + dt.timedelta(days=round(days * (i + 1) / count)) for i in range(count)]


def draw(
    candidates: Sequence[Candidate],
    inspectors: Sequence[Inspector],
    rule: SelectionRule,
    seed: int,
    period: tuple[dt.date, dt.date],
    recused: set[tuple[int, int]] | None = None,
) -> DrawResult:
    """双随机: draw the enterprises (a sample when the rule says so) and a team for each.

    Reproducible: inputs are sorted by id and one `random.Random(seed)` drives every choice. Teams are
    balanced: among the eligible inspectors, the least loaded are drawn first (ties broken at random).
    """
    rng = random.Random(seed)
    recused = recused or set()
    matching = select_enterprises(candidates, rule)
    if rule.sample_size is not None and rule.sample_size < len(matching):
        matching = sorted(rng.sample(matching, rule.sample_size), key=lambda c: c.id)
    pool = sorted((i for i in inspectors if i.certified), key=lambda i: i.id)
    size = max(rule.inspectors_per_task, MIN_INSPECTORS)
    load: dict[int, int] = {i.id: 0 for i in pool}
    dues = spread_due_dates(period[0], period[1], len(matching))
    result = DrawResult(seed=seed, assignments=[])
    order = list(range(len(matching)))
    rng.shuffle(order)  # the visiting order is random too; due dates follow it
    for position, index in enumerate(order):
        enterprise = matching[index]
        eligible = [
            i
            for i in pool
            if i.may_inspect(enterprise.region_code) and (i.id, enterprise.id) not in recused
        ]
        if len(eligible) < size:
            result.unassigned[enterprise.id] = (
                f"辖区内持执法证且无需回避的执法人员不足 {size} 名（现有 {len(eligible)} 名）"
            )
            continue
        ranked = sorted(eligible, key=lambda i: (load[i.id], rng.random()))
        team = tuple(sorted(i.id for i in ranked[:size]))
        for inspector_id in team:
            load[inspector_id] += 1
        result.assignments.append(Assignment(enterprise.id, team, dues[position]))
    result.assignments.sort(key=lambda a: (a.due_on, a.enterprise_id))
    return result


def validate_plan(
    *, title: str, year: int | None, kind: str, start: dt.date | None, end: dt.date | None
) -> list[FieldError]:
    """A plan's own fields; Chinese reasons at their fields, empty when valid."""
    reasons: list[FieldError] = []
    if not (title or "").strip():
        reasons.append(FieldError("/title", "请填写计划名称"))
    if kind not in PLAN_KINDS:
        reasons.append(FieldError("/kind", "计划类型应为年度、季度或专项"))
    if start is None or end is None:
        reasons.append(FieldError("/period_start", "请填写计划起止日期"))
    elif end < start:
        reasons.append(FieldError("/period_end", "计划结束日期不能早于开始日期"))
    elif year is not None and start.year != year and end.year != year:
        reasons.append(FieldError("/period_end", f"计划期间应在 {year} 年内"))
    return reasons


def validate_task(
    *,
    enterprise_region: str | None,
    inspectors: Sequence[Inspector],
    due_on: dt.date | None,
    period: tuple[dt.date, dt.date] | None = None,
    enterprise_id: int | None = None,
    recused: set[tuple[int, int]] | None = None,
    already_planned: bool = False,
) -> list[FieldError]:
    """The rules every 执法任务 keeps; Chinese reasons at their fields, empty when valid."""
    reasons: list[FieldError] = []
    if enterprise_region is None:
        reasons.append(FieldError("/enterprise_id", "请选择被检查企业"))
    if already_planned:
        reasons.append(FieldError("/enterprise_id", "该企业在本计划中已有任务"))
    ids = [i.id for i in inspectors]
    if len(set(ids)) != len(ids):
        reasons.append(FieldError("/enforcer_ids", "同一执法人员不能重复列入检查组"))
    distinct = {i.id: i for i in inspectors}.values()
    certified = [i for i in distinct if i.certified]
    if len(certified) < MIN_INSPECTORS:
        reasons.append(
            FieldError(
                "/enforcer_ids",
                f"执法检查须由两名以上持有执法证的执法人员进行（现有持证人员 {len(certified)} 名）",
            )
        )
    for inspector in distinct:
        if not inspector.certified:
            reasons.append(FieldError("/enforcer_ids", f"执法人员 {inspector.name} 未登记执法证号"))
        if enterprise_region is not None and not inspector.may_inspect(enterprise_region):
            reasons.append(
                FieldError("/enforcer_ids", f"执法人员 {inspector.name} 所在部门对该企业无管辖权")
            )
        if enterprise_id is not None and (inspector.id, enterprise_id) in (recused or set()):
            reasons.append(
                FieldError(
                    "/enforcer_ids", f"执法人员 {inspector.name} 与该企业存在利害关系，应当回避"
                )
            )
    if due_on is None:
        reasons.append(FieldError("/due_on", "请填写任务完成期限"))
    elif period is not None and not (period[0] <= due_on <= period[1]):
        reasons.append(
            FieldError("/due_on", f"任务完成期限应在计划期间内（{period[0]} 至 {period[1]}）")
        )
    return reasons


def measure_from_suggestion(measures: Sequence[str], is_major: bool) -> str:
    """The 处理措施 proposed first: 立案查处 for a 重大事故隐患 (a finding that meets an article of
    《工贸企业重大事故隐患判定标准》), 责令限期整改 for any other finding — whatever else the penalty
    basis allows (停产停业整顿 "情节严重的" is the inspector's call, not a default)."""
    return "file_case" if is_major else "deadline"


def validate_rectification(
    measures_and_deadlines: Sequence[tuple[str, dt.date | None]], issued_on: dt.date
) -> list[str]:
    """责令限期整改 needs a deadline after the order's date (整改指令书: "责令于__年__月__日前整改完毕")."""
    reasons = []
    if not measures_and_deadlines:
        reasons.append("没有需要整改的问题隐患")
    for index, (measure, deadline) in enumerate(measures_and_deadlines, start=1):
        if measure == "deadline" and deadline is None:
            reasons.append(f"第 {index} 项隐患为责令限期整改，须填写整改期限")
        elif deadline is not None and deadline < issued_on:
            reasons.append(f"第 {index} 项隐患的整改期限不能早于下达日期")
    return reasons


def recheck_due(
    deadline: dt.date | None, completion_reported_on: dt.date | None, today: dt.date
) -> bool:
    """A re-inspection follows the deadline, or comes earlier once the enterprise reports completion."""
    if completion_reported_on is not None:
        return True
    return deadline is not None and today > deadline


def late_label(due_on: dt.date | None, on: dt.date | None) -> str:
    """ "晚于完成期限 N 天" when work on `on` comes after the task's due date (an overdue task stays
    workable: the lateness is shown, not refused); "" when on time or a date is missing."""
    if due_on is None or on is None or on <= due_on:
        return ""
    return f"晚于完成期限 {(on - due_on).days} 天"


def approval_refusal(
    author: str | None, approver: str | None, *, four_eyes: bool, noun: str
) -> str:
    """One approval rule for plans and schemes (四眼原则): the approver is not the author, unless
    the bureau turned the rule off (APPROVAL_FOUR_EYES = False, a one-person bureau). "" = allowed."""
    if four_eyes and author and author == approver:
        return f"{noun}应由编制人以外的负责人审批"
    return ""
