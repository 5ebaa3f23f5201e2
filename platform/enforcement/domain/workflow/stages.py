"""The stages of a case: the main line of 立案查处 and its side exit 撤销立案."""

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
}
# The main line shown as a progress bar; WITHDRAWN is the side exit.
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
