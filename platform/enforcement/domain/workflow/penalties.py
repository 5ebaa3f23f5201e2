"""The kinds of administrative penalty and which of them give the party a right to a hearing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PenaltyKind:
    key: str
    label: str
    monetary: bool  # has an amount
    hearing: str  # "always" / "amount" (when ≥ the 较大数额 threshold) / "never"
    source: str
    confidence: str


PENALTY_KINDS: tuple[PenaltyKind, ...] = (
    PenaltyKind("warning", "警告", False, "never", "行政处罚法(2021) 第九条、第六十三条", "medium"),
    PenaltyKind(
        "fine", "罚款", True, "amount", "行政处罚法(2021) 第六十三条（一）较大数额罚款", "medium"
    ),
    PenaltyKind(
        "confiscation",
        "没收违法所得、没收非法财物",
        True,
        "amount",
        "行政处罚法(2021) 第六十三条（二）没收较大数额违法所得、没收较大价值非法财物",
        "medium",
    ),
    PenaltyKind(
        "suspension",
        "责令停产停业",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（四）责令停产停业",
        "medium",
    ),
    PenaltyKind(
        "license_suspension",
        "暂扣许可证",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（五）其他较重的行政处罚（暂扣列入为本系统的从严理解）",
        "low",
    ),
    PenaltyKind(
        "license_revocation",
        "吊销许可证",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（三）吊销许可证件",
        "medium",
    ),
    PenaltyKind(
        "closure", "关闭", False, "always", "行政处罚法(2021) 第六十三条（四）责令关闭", "medium"
    ),
    # 第九条 lists these too (finding 5); 安全生产法 uses them (e.g. 限制从业 for 主要负责人).
    PenaltyKind(
        "qualification_downgrade",
        "降低资质等级",
        False,
        "always",
        "行政处罚法(2021) 第九条（三）；第六十三条（三）降低资质等级",
        "high",
    ),
    PenaltyKind(
        "activity_restriction",
        "限制开展生产经营活动",
        False,
        "always",
        "行政处罚法(2021) 第九条（四）；第六十三条（五）其他较重的行政处罚（从严理解，给予听证）",
        "medium",
    ),
    PenaltyKind(
        "employment_restriction",
        "限制从业",
        False,
        "always",
        "行政处罚法(2021) 第九条（四）；第六十三条（四）限制从业",
        "high",
    ),
)
# 简易程序 (当场处罚) allows only these kinds, up to these amounts (行政处罚法 第五十一条).
ONSITE_KINDS = frozenset({"warning", "fine"})
PENALTY_KIND_BY_KEY: dict[str, PenaltyKind] = {k.key: k for k in PENALTY_KINDS}
PENALTY_KIND_LABELS: dict[str, str] = {k.key: k.label for k in PENALTY_KINDS}
