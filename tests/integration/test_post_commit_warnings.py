"""A plugin callback that fails after a commit reaches the user as a warning (web/base.py), once."""

from __future__ import annotations

from flask import get_flashed_messages

from enforcement.db.unit_of_work import after_commit, unit_of_work
from enforcement.web.base import failure_warnings, flash_failures

WARNING = "本次操作已保存，但插件“case_transitioned”处理失败，已记录日志"


def _boom() -> None:
    raise RuntimeError("bureau plugin bug")


def test_a_failed_callback_is_flashed_once_as_a_warning(app):
    with app.test_request_context():
        session = app.appbuilder.session  # FAB's scoped session, as views pass it
        ran: list[str] = []
        with unit_of_work(session):
            after_commit(session, "case_transitioned", _boom)
            after_commit(session, "later_callback", lambda: ran.append("ran"))
        assert ran == ["ran"]  # one failing callback does not stop the next
        flash_failures(session)
        assert get_flashed_messages(with_categories=True) == [("warning", WARNING)]
        assert failure_warnings(session) == []  # taken: not shown again on the next page


def test_no_failure_no_warning(app):
    with app.test_request_context():
        session = app.appbuilder.session
        with unit_of_work(session):
            after_commit(session, "case_transitioned", lambda: None)
        flash_failures(session)
        assert get_flashed_messages() == []


def test_the_api_words_are_the_same(app):
    with app.app_context():
        session = app.appbuilder.session
        after_commit(session, "case_transitioned", _boom)  # no unit open: runs at once
        assert failure_warnings(session) == [WARNING]
