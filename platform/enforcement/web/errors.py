"""Chinese error pages and JSON errors; never a stack trace.

The one mapping of the platform's error type: a `Refused` (domain/errors.py) raised anywhere under
/api/ answers 422 (409 for a `Conflict`) with {"message", "errors": [{"path", "message"}]}.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from enforcement.domain.errors import Refused

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "提交的数据格式不正确，请检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您没有执行此操作的权限。"),
    404: ("页面不存在", "您访问的记录不存在，或不在您的管辖范围内。"),
    405: ("不支持的操作", "该地址不支持此请求方式。"),
    409: ("记录已变更", "该记录已被他人修改，请刷新后重试。"),
    413: ("文件过大", "上传的文件超过大小限制。"),
    422: ("无法处理", "提交的内容未通过校验，请检查后重试。"),
    429: ("操作过于频繁", "请求过于频繁，请稍后再试。"),
    500: ("系统错误", "系统处理时发生错误，已记录，请稍后重试或联系管理员。"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, path: str = "/") -> Any:
    """An API answer that says one thing went wrong: {"message", "errors": [{path, message}]}."""
    return jsonify(message=message, errors=[{"path": path, "message": message}]), status


def refused_response(refused: Refused) -> Any:
    """The API answer to a refused use case: 422 (409 for a Conflict), every reason at its path."""
    return jsonify(refused.as_json()), refused.status


def _render(status: int, detail: str | None = None) -> Any:
    title, message = MESSAGES.get(status, MESSAGES[500])
    message = detail or message
    if _wants_json():
        return json_error(status, message)
    try:
        return render_template(
            "enforcement/error.html", status=status, title=title, message=message
        ), status
    except Exception:  # the error page itself must never fail into a stack trace
        log.exception("error page failed")
        return f"<h1>{title}</h1><p>{message}</p>", status


# FAB's own English answers (BaseApi.response_401/403/404, the security API): said in Chinese.
_FAB_DEFAULTS = {"Not found", "Forbidden", "Not authorized", "Unauthorized", "Fatal error"}


def _pointer_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """A message (str, or marshmallow's nested dict/list) as [{"path", "message"}]."""
    if isinstance(messages, dict):
        return [
            error
            for key, value in messages.items()
            for error in _pointer_errors(value, f"{prefix}/{key}")
        ]
    if isinstance(messages, list):
        return [error for message in messages for error in _pointer_errors(message, prefix)]
    return [{"path": prefix or "/", "message": str(messages)}]


def api_error_body(response: Response) -> Response:
    """after_request: every non-2xx answer under /api/ carries {"message", "errors": [{path,
    message}]}, whoever produced it (FAB's 401/403/404, a 405, 413 or 429, an endpoint)."""
    if not request.path.startswith("/api/") or response.status_code < 400:
        return response
    body = response.get_json(silent=True) if response.is_json else None
    body = body if isinstance(body, dict) else {}
    errors = body.get("errors")
    message = body.get("message") or body.get("msg")
    said = isinstance(message, str) and message not in _FAB_DEFAULTS
    if isinstance(errors, list) and errors and said:
        return response
    default = MESSAGES.get(response.status_code, MESSAGES[500])[1]
    if not isinstance(errors, list) or not errors:
        # marshmallow's {"field": ["…"]} says where; FAB's English default says nothing.
        errors = _pointer_errors(
            message if message and (said or not isinstance(message, str)) else default
        )
    body["errors"] = errors
    if not said:
        # A structured message stays readable as the errors; the message becomes their text.
        body["message"] = (
            default
            if isinstance(message, str) or not message
            else "；".join(str(error.get("message", "")) for error in errors[:3])
        )
    response.set_data(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/json"
    return response


def register_error_handlers(app: Flask) -> None:
    app.after_request(api_error_body)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.code in (301, 302, 303, 304, 307, 308):
            return exc
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            title = "表单已过期"
            message = "页面停留时间过长或表单已失效，请刷新页面后重新提交。"
            if _wants_json():
                return json_error(400, message)
            return render_template(
                "enforcement/error.html", status=400, title=title, message=message
            ), 400
        return _render(exc.code or 500)

    @app.errorhandler(Refused)
    def _refused(exc: Refused) -> Any:
        # A page catches its service's refusals and shows them at the fields; one that did not
        # still answers in Chinese with the reasons, never a 500.
        if _wants_json():
            return refused_response(exc)
        return _render(exc.status, str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s", request.path)
        return _render(500)
