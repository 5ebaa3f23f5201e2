"""Seeded random answer sets for a checklist declaration: valid ones, and ones broken on purpose.

Shared by tests/plugins/test_validation.py (fast path == reference), the workbench factories and
bench/validate_answers.py, so the benchmark measures exactly the submissions the parity test
checks. The generator works from the declaration (items, follow-ups, evidence, repeat) and builds
what a form would submit; about half of the submissions then get one to three mutations touching
every keyword the compiled answers schema uses (required, type, enum, minItems, uniqueItems,
minLength, minimum/maximum, pattern, format, additionalProperties, conditional follow-ups and
evidence minimums).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

WRONG_TYPES: list[Any] = [None, 0, -3, 1.5, "x", "", True, False, [], {}, ["compliant"], {"a": 1}]
TEXT = "现场检查发现问题需整改落实到位并复查确认"
BAD_DATES = [
    "2024-13-01",
    "2024-02-30",
    "20240101",
    "2024/01/01",
    "昨天",
    "2024-1-1",
    "",
    "0000-01-01",
    "２０２４-01-01",
    "2024-01-01\n",
]


@cache
def _condition(canonical: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(canonical))


def holds(when: dict[str, Any], value: Any) -> bool:
    return _condition(json.dumps(when["schema"], sort_keys=True)).is_valid(value)


def file_ref(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def valid_value(answer: dict[str, Any], rng: random.Random) -> Any:
    kind = answer["type"]
    if "x-valid" in answer:  # test plugins with a `pattern` list values that match it
        return rng.choice(answer["x-valid"])
    if "enum" in answer:
        return rng.choice(answer["enum"])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("integer", "number"):
        low = answer.get("minimum", 0)
        high = answer.get("maximum", low + 1000)
        value = rng.randint(int(low), int(high))
        return value if kind == "integer" or rng.random() < 0.5 else value + 0.5 * (value < high)
    if kind == "array":
        choices = answer["items"]["enum"]
        low = answer.get("minItems", 0)
        high = min(answer.get("maxItems", len(choices)), len(choices))
        return rng.sample(choices, rng.randint(min(low, high), high))
    if answer.get("format") == "date":
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
        return day.isoformat()
    low = answer.get("minLength", 0)
    high = answer.get("maxLength", max(low, 1) + 20)
    return TEXT[: rng.randint(low, min(high, len(TEXT)))] if high <= len(TEXT) else TEXT


def invalid_value(answer: dict[str, Any], rng: random.Random) -> Any:
    """A value the answer schema refuses (wrong type, outside the enum, too short, bad date…)."""
    kind = answer["type"]
    options: list[Any] = list(answer.get("x-invalid", []))
    if "enum" in answer:
        options += ["其他", "COMPLIANT", 7]
    if kind == "array":
        choices = answer["items"]["enum"]
        options += [["不在选项中"], [choices[0], choices[0]], "一个字符串", [1, 2]]
        if answer.get("minItems", 0) > 0:
            options.append([])
    if kind == "string" and answer.get("minLength", 0) > 0:
        options.append(TEXT[: answer["minLength"] - 1])
    if kind == "string" and "maxLength" in answer:
        options.append("长" * (answer["maxLength"] + 1))
    if answer.get("format") == "date":
        options += BAD_DATES
    if "minimum" in answer:
        options.append(answer["minimum"] - 1)
    if "maximum" in answer:
        options.append(answer["maximum"] + 1)
    if kind == "integer":
        options.append(2.5)
    type_of = {
        "string": str,
        "boolean": bool,
        "integer": int,
        "number": (int, float),
        "array": list,
    }
    wrong = [
        v
        for v in WRONG_TYPES
        if not isinstance(v, type_of[kind])
        or (kind in ("integer", "number") and isinstance(v, bool))
        or (kind == "integer" and isinstance(v, float) and not v.is_integer())
    ]
    options += wrong
    return copy.deepcopy(rng.choice(options))


def _entry(item: dict[str, Any], rng: random.Random, equipment_id: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if equipment_id is not None:
        entry["equipment_id"] = equipment_id
    entry["answer"] = value = valid_value(item["answer"], rng)
    for follow_up in item.get("follow_ups", []):
        if "item" in follow_up["when"] and follow_up["when"]["item"] != item["id"]:
            continue  # decided once every item has its answer
        if holds(follow_up["when"], value) or rng.random() < 0.15:
            entry[follow_up["id"]] = valid_value(follow_up["answer"], rng)
    evidence: dict[str, list[str]] = {}
    for rule in item.get("evidence", []):
        applies = "when" not in rule or holds(rule["when"], value)
        if applies or rng.random() < 0.2:
            count = rule["min"] + rng.randint(0, 2) if applies else rng.randint(0, 2)
            evidence.setdefault(rule["kind"], []).extend(file_ref(rng) for _ in range(count))
    if evidence or (item.get("evidence") and rng.random() < 0.3):
        entry["evidence"] = evidence
    return entry


def valid_submission(
    declaration: dict[str, Any], rng: random.Random, equipment: dict[str, list[int]] | None = None
) -> dict[str, Any]:
    """Answers a careful inspector would submit (per-equipment items: one entry per piece)."""
    equipment = equipment or {}
    answers: dict[str, Any] = {}
    for item in declaration["items"]:
        if "repeat" in item:
            pieces = equipment.get(item["repeat"]["equipment_type"])
            if pieces is None:
                pieces = list(range(1, rng.randint(0, 3) + 1))
            answers[item["id"]] = [_entry(item, rng, piece) for piece in pieces]
        else:
            answers[item["id"]] = _entry(item, rng, None)
    for item in declaration["items"]:  # follow-ups conditioned on another item's answer
        for follow_up in item.get("follow_ups", []):
            target = follow_up["when"].get("item", item["id"])
            if target == item["id"] or "repeat" in item:
                continue
            if holds(follow_up["when"], answers[target]["answer"]) or rng.random() < 0.15:
                answers[item["id"]][follow_up["id"]] = valid_value(follow_up["answer"], rng)
    return answers


def _entries(answers: dict[str, Any]) -> list[tuple[str, int | None, dict[str, Any]]]:
    found: list[tuple[str, int | None, dict[str, Any]]] = []
    for key, value in answers.items():
        if isinstance(value, dict):
            found.append((key, None, value))
        elif isinstance(value, list):
            found += [(key, i, v) for i, v in enumerate(value) if isinstance(v, dict)]
    return found


def mutate(
    answers: dict[str, Any], declaration: dict[str, Any], rng: random.Random
) -> dict[str, Any] | Any:
    """Break one thing; the result may still happen to be valid (e.g. an optional key removed)."""
    items = {item["id"]: item for item in declaration["items"]}
    entries = _entries(answers)
    choice = rng.randrange(14)
    if choice == 0 and answers:
        del answers[rng.choice(sorted(answers))]
    elif choice == 1:
        answers[rng.choice(["extra", "备注", "x-note"])] = "未定义的字段"
    elif choice == 2 and answers:
        answers[rng.choice(sorted(answers))] = copy.deepcopy(rng.choice(WRONG_TYPES))
    elif not entries:
        answers["extra"] = 1
    else:
        item_id, _index, entry = rng.choice(entries)
        item = items.get(item_id)
        if item is None:
            entry["stray"] = True
            return answers
        follow_ups = {f["id"]: f for f in item.get("follow_ups", [])}
        if choice == 3:
            entry.pop("answer", None)
        elif choice in (4, 5):
            entry["answer"] = invalid_value(item["answer"], rng)
        elif choice == 6 and follow_ups:
            key = rng.choice(sorted(follow_ups))
            entry[key] = invalid_value(follow_ups[key]["answer"], rng)
        elif choice == 7 and follow_ups:
            entry.pop(rng.choice(sorted(follow_ups)), None)
        elif choice == 8:
            entry["evidence"] = copy.deepcopy(rng.choice([{}, [], "photo", {"video": []}, None]))
        elif choice == 9 and isinstance(entry.get("evidence"), dict) and entry["evidence"]:
            kind = rng.choice(sorted(entry["evidence"]))
            files = entry["evidence"][kind]
            if rng.random() < 0.5 and files:
                files[rng.randrange(len(files))] = rng.choice(
                    ["abc", "A" * 64, 42, file_ref(rng)[:63], file_ref(rng) + "\n"]
                )
            else:
                entry["evidence"][kind] = files[:0]
        elif choice == 10 and "equipment_id" in entry:
            entry["equipment_id"] = rng.choice([0, -1, "1", 1.5, None])
        elif choice == 11 and "equipment_id" in entry:
            del entry["equipment_id"]
        elif choice == 12:
            entry[rng.choice(["remark", "备注"])] = "多余字段"
        else:
            entry["answer"] = invalid_value(item["answer"], rng)
    return answers


def submissions(
    declaration: dict[str, Any], count: int, seed: int = 20260101, invalid_share: float = 0.5
) -> list[Any]:
    """`count` submissions; about `invalid_share` of them mutated (1–3 mutations, rarely not a dict)."""
    rng = random.Random(f"{seed}:{declaration['id']}:{declaration['version']}")
    out: list[Any] = []
    for _ in range(count):
        answers: Any = valid_submission(declaration, rng)
        if rng.random() < invalid_share:
            if rng.random() < 0.01:
                answers = rng.choice([None, [], "answers", 3])
            else:
                for _ in range(rng.randint(1, 3)):
                    answers = mutate(answers, declaration, rng)
        out.append(answers)
    return out
