"""The gate every request passes before any view: the shape of the input, checked once.

What no endpoint should have to check for itself, and what each engine would otherwise refuse with
a 500 (SQLite overflows past 2**63; PostgreSQL refuses NUL, "abc" for an integer key, a negative
OFFSET):

- ids in URLs: every `<int:…>` converter is bounded to 64 bits (a larger number names no record:
  404), and the `<pk>` of a view over an integer-keyed model must be such an integer (404);
- JSON bodies: valid JSON nested at most `JSON_MAX_DEPTH` deep (400), without NaN or Infinity,
  integers within 64 bits, strings without NUL or lone surrogates (422 at the value's path);
- query and form values: no NUL (400);
- FAB list pages: page and page size in range, an order column the view offers, a filter FAB
  can apply (400);
- FAB API lists: a `q` that parses, with page and page size integers in range (400).

Field rules (lengths, dates, amounts) are the endpoints' own, from domain/fields.py (web/inputs.py).
"""

from __future__ import annotations

import re
from typing import Any

import prison
from flask import Flask, Response, abort, current_app, jsonify, request
from flask_appbuilder.baseviews import BaseCRUDView
from sqlalchemy import inspect as sa_inspect
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from enforcement.domain.values import (
    INT64_MAX,
    INT64_MIN,
    JSON_MAX_DEPTH,
    as_int64,
    json_depth,
    loads_bounded,
    value_problems,
)

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1000
_FILTER_ARG = re.compile(r"_flt_(\d)_(.+)")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:pk>` that matches only what a 64-bit key column can hold: a larger number is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


def parse_int64(raw: Any, *, minimum: int = INT64_MIN) -> int | None:
    return as_int64(raw, minimum=minimum)


# -- the gate -------------------------------------------------------------------------------------


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _refuse(status: int, errors: list[dict[str, str]]) -> Any:
    message = "；".join(error["message"] for error in errors[:3])
    if _wants_json():
        response: Response = jsonify(message=message, errors=errors)
        response.status_code = status
        return response
    abort(status, description=message)


def _views() -> dict[str, Any]:
    """FAB's view instances by blueprint name (FAB keys permissions on them too)."""
    cached = current_app.extensions.get("enforcement_guard_views")
    if cached is None:
        cached = {view.endpoint: view for view in current_app.appbuilder.baseviews}
        current_app.extensions["enforcement_guard_views"] = cached
    return cached


def _integer_keyed(view: Any) -> bool:
    return _integer_keyed_model(getattr(getattr(view, "datamodel", None), "obj", None))


def _integer_keyed_model(model: Any) -> bool:
    if model is None:
        return False
    try:
        keys = sa_inspect(model).primary_key
        return len(keys) == 1 and keys[0].type.python_type is int
    except Exception:  # a model without a plain key type: nothing to say
        return False


def _check_path(view: Any) -> Any:
    if not _integer_keyed(view):
        return None
    pk = (request.view_args or {}).get("pk")
    if isinstance(pk, str) and parse_int64(pk) is None:
        return _refuse(404, [{"path": "/", "message": "记录不存在"}])
    if request.endpoint and request.endpoint.endswith(".action_post"):
        if any(parse_int64(raw) is None for raw in request.form.getlist("rowid")):
            return _refuse(404, [{"path": "/rowid", "message": "记录不存在"}])
    return None


def _check_values() -> Any:
    try:
        form = request.form
    except RequestEntityTooLarge:  # the upload views answer this one in their own words
        form = None
    for values in (request.args, form):
        for key in values or ():
            for raw in [key, *values.getlist(key)]:
                if "\x00" in raw:
                    return _refuse(400, [{"path": f"/{key}", "message": "不能包含空字符（NUL）"}])
    return None


def _check_json_body() -> Any:
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    max_depth = current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
    try:
        value = loads_bounded(raw, max_depth)
    except (ValueError, RecursionError):
        return _refuse(
            400,
            [{"path": "/", "message": f"请求体不是有效的 JSON（嵌套不超过{max_depth}层）"}],
        )
    problems = [{"path": path, "message": message} for path, message in value_problems(value)]
    return _refuse(422, problems[:20]) if problems else None


def _int_in(raw: Any, low: int, high: int) -> bool:
    value = parse_int64(raw, minimum=low)
    return value is not None and value <= high


def _filter_fits(view: Any, index: int, column: str) -> bool:
    """A `_flt_<index>_<column>` FAB can apply: an index among the column's filters (FAB indexes
    the list without checking), and for an integer column values within 64 bits."""
    filters = view._filters.get_search_filters().get(column)
    if filters is None:
        return True  # FAB ignores a column that is not searchable
    if index >= len(filters):
        return False
    values = request.args.getlist(f"_flt_{index}_{column}")
    datamodel = view.datamodel
    if datamodel.is_relation(column) and _integer_keyed_model(datamodel.get_related_model(column)):
        # FAB loads the related record by the value: PostgreSQL refuses "abc" for an integer key.
        return all(raw == "" or as_int64(raw) is not None for raw in values)
    if datamodel.is_integer(column):
        for raw in values:
            try:
                number = int(raw)
            except ValueError:
                continue  # FAB filters on nothing
            if not INT64_MIN <= number <= INT64_MAX:
                return False
    return True


def _check_list_page(view: Any) -> Any:
    """FAB's list arguments (urltools: int() of any `page_…`/`psize_…`, any `_oc_…` column)."""
    max_size = current_app.config.get("LIST_MAX_PAGE_SIZE", MAX_PAGE_SIZE)
    views = _views()
    for key in request.args:
        raw = request.args.get(key)
        if "psize_" in key and not _int_in(raw, 1, max_size):
            return _refuse(400, [{"path": f"/{key}", "message": f"每页条数应为1到{max_size}"}])
        if "page_" in key and not _int_in(raw, 0, MAX_PAGE):
            return _refuse(400, [{"path": f"/{key}", "message": "页码超出范围"}])
        match = _FILTER_ARG.fullmatch(key)
        if match and not _filter_fits(view, int(match[1]), match[2]):
            return _refuse(400, [{"path": f"/{key}", "message": "筛选条件不正确"}])
        if key.startswith("_oc_"):
            target = views.get(key[4:])
            columns = getattr(target, "order_columns", None)
            if columns is not None and raw not in columns:
                return _refuse(400, [{"path": f"/{key}", "message": "不能按该列排序"}])
    return None


def _check_rison() -> Any:
    raw = request.args.get("q")
    if not raw:
        return None
    max_depth = current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
    refused = _refuse(400, [{"path": "/q", "message": "查询参数 q 格式不正确"}])
    if json_depth(raw) > max_depth:
        return refused
    try:
        value = prison.loads(raw)
    except prison.decoder.ParserException:  # FAB then tries JSON (FAB_API_ALLOW_JSON_QS)
        try:
            value = loads_bounded(raw, max_depth)
        except (ValueError, RecursionError):
            return refused
    except Exception:  # prison's own ValueError ("1e+5") or RecursionError: FAB would answer 500
        return refused
    if not isinstance(value, dict):
        return None  # FAB answers 400 itself
    problems = [{"path": f"/q{path}", "message": m} for path, m in value_problems(value)]
    for key, high in (("page", MAX_PAGE), ("page_size", INT64_MAX)):
        if key not in value:
            continue
        number = value[key]
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= high:
            problems.append({"path": f"/q/{key}", "message": f"{key} 应为0到{high}的整数"})
    return _refuse(400, problems) if problems else None


def check_request() -> Any:
    """before_request: None to go on, or the 4xx answer."""
    view = _views().get(request.blueprint or "")
    for check in (
        lambda: _check_path(view),
        _check_values,
        _check_json_body,
        (lambda: _check_list_page(view)) if isinstance(view, BaseCRUDView) else None,
        _check_rison if request.path.startswith("/api/") else None,
    ):
        if check is not None:
            answer = check()
            if answer is not None:
                return answer
    return None


def install_converters(app: Flask) -> None:
    """Before any route is added: `<int:…>` bounded to 64 bits."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def install_guard(app: Flask) -> None:
    app.before_request(check_request)
