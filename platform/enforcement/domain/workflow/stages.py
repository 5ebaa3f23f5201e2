"""The stages of a case: the main line of 立案查处 and its side exits 撤销立案, 移送司法机关."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    FILED = "filed"
    INVESTIGATION = "investigation"
    REVIEW = "review"
    NOTICE = "notice"
    HEARING = "hearing"
    DECISION = "decision"
    SERVICE = "service"
    EXECUTION = "execution"
    CLOSED = "closed"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.FILED: "立案",
    Stage.INVESTIGATION: "调查取证",
    Stage.REVIEW: "案件审查",
    Stage.NOTICE: "告知",
    Stage.HEARING: "听证",
    Stage.DECISION: "处罚决定",
    Stage.SERVICE: "送达",
    Stage.EXECUTION: "执行",
    Stage.CLOSED: "结案",
    Stage.ARCHIVED: "归档",
    Stage.WITHDRAWN: "撤销立案",
    Stage.TRANSFERRED: "移送司法机关",
}
# The main line shown as a progress bar; WITHDRAWN and TRANSFERRED are the side exits.
MAIN_LINE: tuple[Stage, ...] = (
    Stage.FILED,
    Stage.INVESTIGATION,
    Stage.REVIEW,
    Stage.NOTICE,
    Stage.HEARING,
    Stage.DECISION,
    Stage.SERVICE,
    Stage.EXECUTION,
    Stage.CLOSED,
    Stage.ARCHIVED,
)
TERMINAL: frozenset[Stage] = frozenset({Stage.ARCHIVED})

PARTY_KINDS: dict[str, str] = {"unit": "单位", "individual": "个人"}
