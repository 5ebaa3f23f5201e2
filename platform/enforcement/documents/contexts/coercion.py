"""What the forms of 行政强制 and of the investigation's own records read from the case record:
行政强制审批表, 查封扣押 (决定书, 清单, 延长期限, 处理), 停止供电 (通知书, 决定书) and 恢复供电, 询问通知书,
勘验笔录, 抽样取证凭证.

Each form starts from the case context (party, case, facts, inspectors, agency, remedy) and adds
its step. The case record holds no 查封扣押, sampling or survey yet: what was seized, when, where,
and what the survey saw stay blank for the inspector to fill (`EDITABLE`), and a final form may
not leave its core blank (`REQUIRED_TO_FINALIZE`).

The law printed (each catalogue entry names source and confidence): 安全生产法 (2021) 第六十五条第一款
第（四）项 (查封扣押 of 不符合标准的设施、设备、器材 and 违法生产、储存、使用、经营、运输的危险物品) and
第七十条 (停止供电: 主要负责人批准, 提前二十四小时通知, 及时解除); 行政强制法 第十八条 (the procedure of
every 强制措施), 第二十四条 (contents of the 决定书 and the 清单 一式二份), 第二十五条 (30日, one
extension of at most 30日, told in writing with its reason), 第二十七条、第二十八条 (处理: 没收、销毁 or
解除 and return), 第四十三条 (no 强制执行 at night or on holidays unless urgent); 行政处罚法 第五十五条
(证件, 询问, 笔录) and 第五十六条 (抽样取证). The 30-day periods are over ten days: calendar days
(行政强制法 第六十九条 counts only periods of ten days or less in working days).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from enforcement.documents import FormSpec
from enforcement.documents.contexts.procedure import _numbers, _people
from enforcement.models import Case

SAFETY = "《中华人民共和国安全生产法》"
COERCE = "《中华人民共和国行政强制法》"
PUNISH = "《中华人民共和国行政处罚法》"
SEIZE_BASIS = f"{SAFETY}第六十五条第一款第（四）项"
SEIZURE_DAYS = 30  # 行政强制法 第二十五条第一款 (calendar days: over ten)

BASIS: dict[str, str] = {
    "coercion_approval": f"{SEIZE_BASIS}；{COERCE}第十八条",
    "seizure_decision": f"{SEIZE_BASIS}；{COERCE}第二十四条、第二十五条",
    "seizure_list": f"{COERCE}第二十四条",
    "seizure_extension_decision": f"{COERCE}第二十五条",
    "seizure_disposal_decision": f"{COERCE}第二十七条、第二十八条",
    "inquiry_notice": f"{PUNISH}第五十五条",
    "inspection_survey_record": f"{PUNISH}第四十六条、第五十五条",
    "sampling_voucher": f"{PUNISH}第五十六条",
    "power_stop_notice": f"{SAFETY}第七十条",
    "power_stop_decision": f"{SAFETY}第七十条；{COERCE}第四十三条",
    "power_restore_notice": f"{SAFETY}第七十条第三款",
}
# 行政强制法 第十八条: what every 行政强制措施 goes through (printed on the 审批表 as the checklist).
PROCEDURE_18 = (
    "实施前向行政机关负责人报告并经批准",
    "由两名以上行政执法人员实施",
    "出示执法身份证件",
    "通知当事人到场",
    "当场告知当事人采取行政强制措施的理由、依据以及当事人依法享有的权利、救济途径",
    "听取当事人的陈述和申辩",
    "制作现场笔录，由当事人和行政执法人员签名或者盖章；当事人拒绝的，在笔录中予以注明",
    "当事人不到场的，邀请见证人到场，由见证人和行政执法人员在现场笔录上签名或者盖章",
)


def _step(context: dict[str, Any], case: Case | None, numbers: dict[str, str]) -> dict[str, Any]:
    first, second = _people(context)
    party = context.get("party") or {}
    return {
        "refs": {
            **(context.get("refs") or {}),
            "seizure_decision": numbers.get("seizure_decision", ""),
            "seizure_extension_decision": numbers.get("seizure_extension_decision", ""),
            "power_stop_decision": numbers.get("power_stop_decision", ""),
            "power_stop_notice": numbers.get("power_stop_notice", ""),
        },
        "coercion": {
            "measure": "",  # 查封 / 扣押: the inspector chooses
            # 安全生产法 第六十五条第一款第（四）项 in the party's terms; the inspector narrows it
            "reason": "上述设施、设备、器材有根据认为不符合保障安全生产的国家标准或者行业标准，"
            "或者属于违法生产、储存、使用、经营、运输的危险物品。",
            "objects": "",  # one line each: 名称、规格、数量
            "place": party.get("address") or "",
            "keeper": "",
            "days": str(SEIZURE_DAYS),
            "start": "",
            "end": "",
            "decided_on": "",
            "procedure": list(PROCEDURE_18),
        },
        "extension": {"reason": "", "days": "", "until": ""},
        "disposal": {"findings": "", "result": ""},
        "inquiry": {"person": "", "time": "", "place": "", "materials": ""},
        "survey": {
            "start": "",
            "end": "",
            "place": party.get("address") or "",
            "weather": "",
            "surveyors": "、".join(n for n in (first, second) if n),
            "present": "",
            "witness": "",
            "recorder": "",
            "content": "",
        },
        "sampling": {"time": "", "place": party.get("address") or "", "samples": "",
                     "method": "", "keeper": ""},
        "power": {
            "supplier": "",
            "prior_decision": "",
            "prior_number": "",
            "refusal": "",
            "time": "",
            "scope": "",
            "restore_reason": "",
        },
        "handler": {"first": first, "second": second},
    }  # fmt: skip


def complete(session: Session, form: FormSpec, context: dict[str, Any]) -> dict[str, Any]:
    """The context of one of this module's forms, completed from its case (others unchanged)."""
    if form.code not in BASIS:
        return context
    record = context.get("record") or {}
    case = session.get(Case, record["id"]) if record.get("kind") == "case" else None
    context.update(_step(context, case, _numbers(session, case)))
    context["case_basis"] = context.get("legal_basis") or ""  # the violation's own basis
    context["legal_basis"] = BASIS[form.code]
    return context


# What the inspector types before finalizing (path, label, kind) and what may not stay blank.
_SEIZED = ("coercion.objects", "查封扣押的场所、设施、财物（名称、规格、数量）", "lines")
_PERIOD = [
    ("coercion.measure", "措施（查封／扣押）", "text"),
    ("coercion.start", "查封扣押起始日期", "text"),
    ("coercion.end", "查封扣押届满日期", "text"),
]
_DECIDED = [
    ("refs.seizure_decision", "查封扣押决定书文号", "text"),
    ("coercion.decided_on", "查封扣押决定日期", "text"),
]
_POWER = [
    ("power.supplier", "供电单位（民用爆炸物品供应单位）", "text"),
    ("power.prior_decision", "拒不执行的决定（停产停业等）", "text"),
    ("power.prior_number", "该决定文号", "text"),
    ("power.time", "停止供电时间", "text"),
    ("power.scope", "停止供电范围", "text"),
]
EDITABLE: dict[str, list[tuple[str, str, str]]] = {
    "coercion_approval": [
        ("facts", "违法事实", "lines"),
        _SEIZED,
        ("coercion.measure", "拟采取的措施（查封／扣押）", "text"),
        ("coercion.reason", "理由", "lines"),
        ("coercion.place", "场所（地点）", "text"),
    ],
    "seizure_decision": [
        ("facts", "违法事实", "lines"),
        ("coercion.reason", "查封扣押理由", "lines"),
        _SEIZED,
        *_PERIOD,
        ("coercion.place", "查封扣押地点", "text"),
        ("coercion.keeper", "保管人", "text"),
        ("remedy.court", "行政诉讼管辖法院", "text"),
    ],
    "seizure_list": [_SEIZED, *_DECIDED, ("coercion.place", "查封扣押地点", "text")],
    "seizure_extension_decision": [
        *_DECIDED,
        *_PERIOD,
        ("extension.reason", "延长理由", "lines"),
        ("extension.days", "延长日数（不超过30日）", "text"),
        ("extension.until", "延长至", "text"),
        ("remedy.court", "行政诉讼管辖法院", "text"),
    ],
    "seizure_disposal_decision": [
        *_DECIDED,
        _SEIZED,
        ("disposal.findings", "查明的事实", "lines"),
        ("disposal.result", "处理决定（解除并退还／没收／销毁）", "lines"),
        ("remedy.court", "行政诉讼管辖法院", "text"),
    ],
    "inquiry_notice": [
        ("inquiry.person", "被询问人", "text"),
        ("inquiry.time", "询问时间", "text"),
        ("inquiry.place", "询问地点", "text"),
        ("inquiry.materials", "需携带的材料", "lines"),
        ("contact.person", "联系人", "text"),
        ("contact.phone", "联系电话", "text"),
    ],
    "inspection_survey_record": [
        ("survey.start", "勘验开始时间", "text"),
        ("survey.end", "勘验结束时间", "text"),
        ("survey.place", "勘验场所", "text"),
        ("survey.weather", "天气情况", "text"),
        ("survey.surveyors", "勘验人", "text"),
        ("survey.present", "当事人（到场人员）", "text"),
        ("survey.witness", "见证人", "text"),
        ("survey.recorder", "记录人", "text"),
        ("survey.content", "勘验情况", "lines"),
    ],
    "sampling_voucher": [
        ("sampling.time", "抽样时间", "text"),
        ("sampling.place", "抽样地点", "text"),
        ("sampling.samples", "样品（名称、规格、批号、数量）", "lines"),
        ("sampling.method", "抽样方式", "text"),
        ("sampling.keeper", "样品保存", "text"),
    ],
    "power_stop_notice": _POWER,
    "power_stop_decision": [*_POWER, ("power.refusal", "拒不执行的情况", "lines"),
                            ("remedy.court", "行政诉讼管辖法院", "text")],
    "power_restore_notice": [
        ("power.supplier", "供电单位（民用爆炸物品供应单位）", "text"),
        ("refs.power_stop_notice", "停止供电通知书文号", "text"),
        ("power.restore_reason", "解除理由（已履行决定、消除事故隐患的情况）", "lines"),
    ],
}  # fmt: skip
REQUIRED_TO_FINALIZE: dict[str, tuple[str, ...]] = {
    "coercion_approval": ("facts", "coercion.objects", "coercion.measure"),
    # 行政强制法 第二十四条第二款: 当事人, 理由依据期限, 名称数量, 救济 (the form prints the rest)
    "seizure_decision": ("facts", "coercion.objects", "coercion.measure", "coercion.start",
                         "coercion.end"),
    "seizure_list": ("coercion.objects",),
    # 第二十五条第二款: the extension is told in writing with its reason
    "seizure_extension_decision": ("refs.seizure_decision", "extension.reason", "extension.days",
                                   "extension.until"),
    "seizure_disposal_decision": ("coercion.objects", "disposal.result"),
    "inquiry_notice": ("inquiry.time", "inquiry.place"),
    "inspection_survey_record": ("survey.start", "survey.place", "survey.content"),
    "sampling_voucher": ("sampling.samples",),
    "power_stop_notice": ("power.supplier", "power.prior_decision", "power.time"),
    "power_stop_decision": ("power.supplier", "power.prior_decision", "power.time"),
    "power_restore_notice": ("power.supplier", "power.restore_reason"),
}  # fmt: skip
# The order a case offers them in: the investigation's records, then 行政强制 in its order.
CASE_STEP_FORMS: tuple[str, ...] = (
    "inquiry_notice",
    "inspection_survey_record",
    "sampling_voucher",
    "coercion_approval",
    "seizure_decision",
    "seizure_list",
    "seizure_extension_decision",
    "seizure_disposal_decision",
    "power_stop_decision",
    "power_stop_notice",
    "power_restore_notice",
)


_DAY = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})")
_LIMIT_MESSAGE = "（《中华人民共和国行政强制法》第二十五条第一款）"


def _day(value: Any) -> dt.date | None:
    match = _DAY.search(str(value or ""))
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _get(content: dict[str, Any], path: str) -> Any:
    value: Any = content
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def period_errors(form_code: str, content: dict[str, Any]) -> dict[str, str]:
    """{path: message} when a 查封扣押 or its extension is longer than 第二十五条 allows: 30 days,
    and one extension of at most 30 days. The day the period starts is not counted (民法典 第二百零一条),
    so a seizure from 1 May may end on 31 May. Dates the inspector has not typed as dates are not
    judged here (the required-parts check asks for them)."""
    errors: dict[str, str] = {}
    start, end = _day(_get(content, "coercion.start")), _day(_get(content, "coercion.end"))
    if form_code == "seizure_decision" and start and end:
        if end <= start:
            errors["coercion.end"] = "查封扣押届满日期应晚于起始日期"
        elif (end - start).days > SEIZURE_DAYS:
            errors["coercion.end"] = f"查封扣押期限不得超过{SEIZURE_DAYS}日{_LIMIT_MESSAGE}"
    if form_code == "seizure_extension_decision":
        days = str(_get(content, "extension.days") or "").strip()
        if days.isdigit() and int(days) > SEIZURE_DAYS:
            errors["extension.days"] = f"延长期限不得超过{SEIZURE_DAYS}日{_LIMIT_MESSAGE}"
        until = _day(_get(content, "extension.until"))
        if end and until and (until - end).days > SEIZURE_DAYS:
            errors["extension.until"] = (
                f"延长后的届满日期不得晚于原届满日期后{SEIZURE_DAYS}日{_LIMIT_MESSAGE}"
            )
    return errors
