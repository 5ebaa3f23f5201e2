"""Who signs which 执法文书 on screen: the signature blocks of each form, in printed order.

Roles: ``inspector1`` / ``inspector2`` are the two enforcement officers named on the document (the
law wants two, each with a 执法证号); ``party`` is the enterprise's person who signs it (被检查单位现场
负责人, 被询问人, 收件人). Only the party may refuse (拒签): an officer who will not sign simply does
not issue the paper. A refusal names a witness (见证人), as the paper forms do (the 文书送达回执's
见证人 line for 留置送达, research.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass

PARTY = "party"
INSPECTORS = ("inspector1", "inspector2")
NAME_MAX = 64
DEVICE_MAX = 300
PNG_MAX_BYTES = 300 * 1024
PNG_MAX_SIDE = 2400
REFUSED = "拒签"


@dataclass(frozen=True)
class Slot:
    role: str
    label: str

    @property
    def may_refuse(self) -> bool:
        return self.role == PARTY


SLOTS: dict[str, tuple[Slot, ...]] = {
    "inspection_record": (
        Slot("inspector1", "检查人员"),
        Slot("inspector2", "检查人员"),
        Slot(PARTY, "被检查单位现场负责人"),
    ),
    "inquiry_record": (
        Slot(PARTY, "被询问人"),
        Slot("inspector1", "询问人"),
        Slot("inspector2", "记录人"),
    ),
    "rectification_order": (
        Slot("inspector1", "执法人员"),
        Slot("inspector2", "执法人员"),
        Slot(PARTY, "被检查单位负责人"),
    ),
    "service_receipt": (
        Slot(PARTY, "收件人"),
        Slot("inspector1", "送达人"),
        Slot("inspector2", "送达人"),
    ),
}


def slots(form_code: str) -> tuple[Slot, ...]:
    """The signature blocks of a form; () for a form signed on paper only."""
    return SLOTS.get(form_code, ())


def slot(form_code: str, role: str) -> Slot | None:
    return next((s for s in slots(form_code) if s.role == role), None)


def refusal_text(witness: str) -> str:
    return f"{REFUSED}（见证人：{witness}）"
