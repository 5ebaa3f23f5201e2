"""The audit log: who, when, what (old and new values), why. Append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db.policies import AuditTrail, Public


class AuditLog(AuditTrail, Public, Model):
    # Public to the session: only the audit views read it, and their permission is admin-only.
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime,
        nullable=False,
        default=lambda: dt.datetime.now().replace(microsecond=0),
        index=True,
    )
    username: Mapped[str | None] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    entity: Mapped[str | None] = mapped_column(String(64), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(String(300))
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    ACTION_LABELS = {
        "create": "新增",
        "update": "修改",
        "delete": "删除",
        "restore": "恢复",
        "login": "登录成功",
        "login_failed": "登录失败",
        "login_locked": "账号锁定",
        "logout": "退出登录",
        "sessions_revoked": "强制下线",
        "import": "批量导入",
    }

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)
