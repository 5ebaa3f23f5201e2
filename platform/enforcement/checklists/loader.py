"""Read and validate a plugin.json: JSON syntax, the meta-schema, then the semantic rules.

Every error is reported at once, each with its JSON pointer; a bad file never raises past
`validate_text` / `load_file`, it returns or raises `PluginInvalid` with the full list.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator

from enforcement.checklists.errors import PluginError, PluginInvalid, pointer
from enforcement.domain import codes
from enforcement.domain.values import JSON_MAX_DEPTH, json_depth

SCHEMA_FILE = "checklist-plugin.schema.json"


def _schemas_dir() -> Path:
    """schemas/ at the repository root in a checkout; a copy inside the package in a wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "schemas", here.parents[1] / "data" / "schemas"):
        if (candidate / SCHEMA_FILE).exists():
            return candidate
    raise FileNotFoundError(SCHEMA_FILE)


@cache
def meta_schema() -> dict[str, Any]:
    return json.loads((_schemas_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))


@cache
def meta_validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(meta_schema())
    return Draft202012Validator(meta_schema())


@cache
def _fast_meta_validator() -> Any:
    """jsonschema-rs answers "is it valid?" fast; `jsonschema` explains what is wrong when it is not."""
    return jsonschema_rs.validator_for(meta_schema())


@cache
def _condition_schema_error(canonical: str) -> str | None:
    """Conditions repeat ({"const": "non_compliant"}): check each distinct one once."""
    try:
        Draft202012Validator.check_schema(json.loads(canonical))
    except jsonschema.SchemaError as exc:
        return exc.message
    return None


@cache
def _bad_pattern(pattern: str) -> bool:
    """A `pattern` the answers' validator (jsonschema-rs, ECMA-262) cannot compile."""
    try:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    except ValueError:
        return True
    return False


TYPE_NAMES = {
    "object": "对象",
    "array": "数组",
    "string": "字符串",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值",
    "null": "空值",
}


def _chinese(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    """(path, message) for a meta-schema error, in Chinese, pointing at the offending key."""
    path = list(error.absolute_path)
    kind, value = error.validator, error.validator_value
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        extra = [k for k in extra if not k.startswith("x-")]
        key = extra[0] if extra else ""
        return path + [key], f"未知字段“{key}”（自定义注释请用 x- 开头）"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(value)
        return path, f"缺少必填字段“{missing}”"
    if kind == "type":
        expected = value if isinstance(value, str) else "/".join(value)
        return path, f"类型错误：应为{TYPE_NAMES.get(expected, expected)}"
    if kind == "enum":
        return path, "取值无效“{}”，可选：{}".format(
            error.instance, "、".join(str(v) for v in value)
        )
    if kind == "const":
        return path, f"取值应为 {json.dumps(value, ensure_ascii=False)}"
    if kind == "pattern":
        return path, f"格式不正确“{error.instance}”（应匹配 {value}）"
    if kind == "minItems":
        return path, f"至少需要 {value} 项"
    if kind == "minLength":
        return path, "不能为空"
    if kind == "minProperties":
        return path, f"至少需要填写 {value} 个字段"
    if kind == "uniqueItems":
        return path, "列表中有重复值"
    if kind in ("minimum", "maximum"):
        return path, f"数值超出范围（{'最小' if kind == 'minimum' else '最大'} {value}）"
    return path, error.message


def _syntax_error(file: str, exc: json.JSONDecodeError) -> PluginError:
    return PluginError(
        file,
        "",
        f"JSON 语法错误：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}",
        line=exc.lineno,
        column=exc.colno,
    )


def schema_errors(data: Any, file: str) -> list[PluginError]:
    if _fast_meta_validator().is_valid(data):
        return []
    errors = []
    for error in meta_validator().iter_errors(data):
        path, message = _chinese(error)
        errors.append(PluginError(file, pointer(path), message))
    return sorted(set(errors), key=lambda e: (e.pointer, e.message))


def semantic_errors(
    data: dict[str, Any], file: str, known_equipment_types: set[str]
) -> list[PluginError]:
    """Rules the meta-schema cannot say. Runs only on a schema-valid declaration."""
    errors: list[PluginError] = []

    def err(path: list[Any], message: str) -> None:
        errors.append(PluginError(file, pointer(path), message))

    plugin_id = data["id"]
    issuer = data["issuer"]
    if issuer["level"] != "ministry":
        region = issuer.get("region")
        if not region:
            err(["issuer"], "非部级发布的插件必须填写发布单位的行政区划代码 region")
        else:
            expected = {
                "province": region.endswith("0000"),
                "city": region.endswith("00") and not region.endswith("0000"),
                "county": not region.endswith("00"),
            }
            if not expected[issuer["level"]]:
                err(
                    ["issuer", "region"],
                    f"行政区划代码 {region} 与发布层级 {issuer['level']} 不一致",
                )
    declared = {t["id"] for t in data.get("equipment_types", [])}
    seen_types: set[str] = set()
    for index, equipment_type in enumerate(data.get("equipment_types", [])):
        if equipment_type["id"] in seen_types:
            err(["equipment_types", index, "id"], f"设备类型“{equipment_type['id']}”重复声明")
        seen_types.add(equipment_type["id"])
    available = declared | known_equipment_types
    for index, type_id in enumerate(data.get("applies_to", {}).get("equipment_types", [])):
        if type_id not in available:
            err(["applies_to", "equipment_types", index], f"设备类型“{type_id}”未声明")

    items = data["items"]
    ids = [item["id"] for item in items]
    repeated = {item["id"] for item in items if "repeat" in item}
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        path: list[Any] = ["items", index]
        item_id = item["id"]
        if item_id in first_index:
            err(
                path + ["id"],
                f"检查事项编号“{item_id}”重复（与 /items/{first_index[item_id]} 相同）",
            )
        else:
            first_index[item_id] = index
        if not item_id.startswith(plugin_id + "."):
            err(path + ["id"], f"检查事项编号应以插件编号“{plugin_id}.”开头")
        if "repeat" in item and item["repeat"]["equipment_type"] not in available:
            err(
                path + ["repeat", "equipment_type"],
                f"设备类型“{item['repeat']['equipment_type']}”未声明：请在 equipment_types 中声明",
            )
        errors.extend(_answer_errors(item["answer"], file, path + ["answer"]))
        follow_up_ids: set[str] = set()
        for f_index, follow_up in enumerate(item.get("follow_ups", [])):
            f_path = path + ["follow_ups", f_index]
            if follow_up["id"] in follow_up_ids or follow_up["id"] in (
                "answer",
                "evidence",
                "equipment_id",
            ):
                err(f_path + ["id"], f"追问编号“{follow_up['id']}”重复或为保留字")
            follow_up_ids.add(follow_up["id"])
            errors.extend(_answer_errors(follow_up["answer"], file, f_path + ["answer"]))
            errors.extend(
                _condition_errors(follow_up["when"], file, f_path + ["when"], ids, repeated, item)
            )
        for e_index, evidence in enumerate(item.get("evidence", [])):
            e_path = path + ["evidence", e_index]
            if "max" in evidence and evidence["max"] < evidence["min"]:
                err(e_path + ["max"], "max 不能小于 min")
            if "when" in evidence:
                errors.extend(
                    _condition_errors(
                        evidence["when"], file, e_path + ["when"], ids, repeated, item
                    )
                )
        fine = item["penalty_basis"].get("fine", {})
        if "min" in fine and "max" in fine and fine["min"] > fine["max"]:
            err(path + ["penalty_basis", "fine"], "罚款下限不能高于上限")
        errors.extend(_major_errors(item, items, file, path))
        for b_index, earlier in enumerate(item.get("earlier_bases", [])):
            if not _is_day(earlier["until"]):
                err(path + ["earlier_bases", b_index, "until"], f"日期无效“{earlier['until']}”")
    errors.extend(_cycle_errors(items, file))
    return errors


def _is_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _major_errors(
    item: dict[str, Any], items: list[dict[str, Any]], file: str, path: list[Any]
) -> list[PluginError]:
    """major_when conditions name existing items and follow-ups and hold valid JSON Schemas."""
    follow_ups = {i["id"]: {f["id"] for f in i.get("follow_ups", [])} for i in items}
    places: list[tuple[list[Any], dict[str, Any]]] = [(path, item)]
    places += [(path + ["follow_ups", n], f) for n, f in enumerate(item.get("follow_ups", []))]
    errors = []
    for place, owner in places:
        for r_index, rule in enumerate(owner.get("major_when", [])):
            conditions = [(["when"], rule["when"])]
            conditions += [(["and", n], c) for n, c in enumerate(rule.get("and", []))]
            for where, condition in conditions:
                c_path = place + ["major_when", r_index, *where]
                target = condition.get("item", item["id"])
                if target not in follow_ups:
                    message = f"条件引用的检查事项“{target}”不存在"
                    errors.append(PluginError(file, pointer(c_path + ["item"]), message))
                    continue
                follow_up = condition.get("follow_up")
                if follow_up is not None and follow_up not in follow_ups[target]:
                    message = f"条件引用的追问“{follow_up}”不存在"
                    errors.append(PluginError(file, pointer(c_path + ["follow_up"]), message))
                problem = _condition_schema_error(json.dumps(condition["schema"], sort_keys=True))
                if problem is not None:
                    message = f"条件不是有效的 JSON Schema：{problem}"
                    errors.append(PluginError(file, pointer(c_path + ["schema"]), message))
    return errors


CROSS_REPEAT = (
    "引用逐设备检查事项“{}”的答案时，须写明 match（any 任一台、all 全部）或 count（符合的台数）"
)
NOT_REPEATED = "match、count 只能用于引用其他逐设备检查事项的答案"


def _condition_errors(
    when: dict[str, Any],
    file: str,
    path: list[Any],
    ids: list[str],
    repeated: set[str],
    item: dict[str, Any],
) -> list[PluginError]:
    """The reference resolves; a per-equipment item read from another item says how pieces count
    (inside a repeat, its own answer and a plain item's are read as they are)."""
    errors = []
    target = when.get("item", item["id"])
    quantified = "match" in when or "count" in when
    if target not in ids:
        errors.append(
            PluginError(file, pointer(path + ["item"]), f"条件引用的检查事项“{target}”不存在")
        )
    elif target != item["id"] and target in repeated:
        if not quantified:
            errors.append(PluginError(file, pointer(path + ["item"]), CROSS_REPEAT.format(target)))
        elif "match" in when and "count" in when:
            message = "match 与 count 只能写其中一个"
            errors.append(PluginError(file, pointer(path + ["count"]), message))
    elif quantified:
        key = "match" if "match" in when else "count"
        errors.append(PluginError(file, pointer(path + [key]), NOT_REPEATED))
    count = when.get("count", {})
    if "minimum" in count and "maximum" in count and count["minimum"] > count["maximum"]:
        errors.append(PluginError(file, pointer(path + ["count"]), "count 的下限不能高于上限"))
    problem = _condition_schema_error(json.dumps(when["schema"], sort_keys=True))
    if problem is not None:
        errors.append(
            PluginError(file, pointer(path + ["schema"]), f"条件不是有效的 JSON Schema：{problem}")
        )
    return errors


def _cycle_errors(items: list[dict[str, Any]], file: str) -> list[PluginError]:
    """Items whose conditions read each other in a circle (A's follow-up reads B, B's reads A):
    each condition on the circle is reported at its pointer, with the circle."""
    index_of = {item["id"]: n for n, item in enumerate(items)}
    edges: dict[str, list[tuple[str, list[Any]]]] = {}
    for n, item in enumerate(items):
        places = [("follow_ups", f) for f in item.get("follow_ups", [])]
        places += [("evidence", e) for e in item.get("evidence", [])]
        counters = {"follow_ups": 0, "evidence": 0}
        for kind, owner in places:
            position = counters[kind]
            counters[kind] += 1
            target = owner.get("when", {}).get("item")
            if target and target != item["id"] and target in index_of:
                where = ["items", n, kind, position, "when", "item"]
                edges.setdefault(item["id"], []).append((target, where))
    errors = []
    reported: set[str] = set()
    for start in edges:
        circle = _circle_from(start, edges)
        if circle is None or frozenset(circle) & frozenset(reported):
            continue
        reported.update(circle)
        text = " → ".join([*circle, circle[0]])
        for here, there in zip(circle, [*circle[1:], circle[0]], strict=True):
            for target, where in edges[here]:
                if target == there:
                    message = f"条件引用形成循环：{text}"
                    errors.append(PluginError(file, pointer(where), message))
    return errors


def _circle_from(start: str, edges: dict[str, list[tuple[str, list[Any]]]]) -> list[str] | None:
    """The first circle back to `start` along condition references (depth first), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for target, _ in edges.get(node, []):
            if target == start:
                return trail
            if target not in seen:
                seen.add(target)
                stack.append((target, [*trail, target]))
    return None


def _answer_errors(answer: dict[str, Any], file: str, path: list[Any]) -> list[PluginError]:
    """The renderer draws: choice (enum), yes/no, text, date, number, multiple choice."""
    errors = []
    kind = answer["type"]
    python_types = {"string": str, "boolean": bool, "number": (int, float), "integer": int}
    if kind == "array" and "items" not in answer:
        errors.append(
            PluginError(
                file, pointer(path), "多选题必须用 items.enum 列出选项，表单无法绘制任意数组"
            )
        )
    if "enum" in answer and kind in python_types:
        for index, value in enumerate(answer["enum"]):
            if not isinstance(value, python_types[kind]) or (
                kind != "boolean" and isinstance(value, bool)
            ):
                errors.append(
                    PluginError(
                        file, pointer(path + ["enum", index]), f"选项类型应为{TYPE_NAMES[kind]}"
                    )
                )
    if kind == "array" and "enum" in answer:
        errors.append(
            PluginError(file, pointer(path + ["enum"]), "多选题的选项应写在 items.enum 中")
        )
    if "pattern" in answer and _bad_pattern(answer["pattern"]):
        message = f"正则表达式无效“{answer['pattern']}”"
        errors.append(PluginError(file, pointer(path + ["pattern"]), message))
    if "format" in answer and kind != "string":
        errors.append(PluginError(file, pointer(path + ["format"]), "format 只能用于字符串"))
    return errors


def validate_text(
    text: str, file: str, known_equipment_types: set[str] | None = None
) -> tuple[dict[str, Any] | None, list[PluginError]]:
    """(declaration, []) for a good file, (None, every error) for a bad one."""
    if json_depth(text) > JSON_MAX_DEPTH:  # json.loads would recurse until RecursionError
        return None, [PluginError(file, "", f"JSON 嵌套超过{JSON_MAX_DEPTH}层，不是检查事项插件")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [_syntax_error(file, exc)]
    errors = schema_errors(data, file)
    if errors:
        return None, errors
    known = set(codes.EQUIPMENT_TYPES) if known_equipment_types is None else known_equipment_types
    errors = semantic_errors(data, file, known)
    return (None, errors) if errors else (data, [])


def load_file(path: str | Path, known_equipment_types: set[str] | None = None) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PluginInvalid([PluginError(str(path), "", f"无法读取文件：{exc}")]) from None
    data, errors = validate_text(text, str(path), known_equipment_types)
    if errors:
        raise PluginInvalid(errors)
    return data  # type: ignore[return-value]
