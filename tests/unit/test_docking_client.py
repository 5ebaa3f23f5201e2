"""The reference docking client: batches, deterministic batch ids, retries with backoff, summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enforcement.services.docking.client import ClientError, push_file


def records(n: int) -> list[dict[str, Any]]:
    return [{"type": "plan", "id": str(i), "data": {}} for i in range(n)]


ERROR = {"path": "/records/3/data/title", "message": "缺少必填字段“title”", "code": "missing"}


class Platform:
    """A fake platform: answers from a script of statuses, then accepts everything but id 3."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, url: str, token: str, body: bytes, timeout: float) -> Any:
        payload = json.loads(body)
        self.bodies.append(payload)
        if self.statuses:
            status = self.statuses.pop(0)
            if status != 200:
                return status, {"message": "稍后再试"}, {}
        bad = [i for i, r in enumerate(payload["records"]) if r["id"] == "3"]
        answer = {
            "accepted": len(payload["records"]) - len(bad),
            "unchanged": 0,
            "rejected": [{"index": i, "type": "plan", "id": "3", "errors": [ERROR]} for i in bad],
        }
        return 200, answer, {}


def test_a_file_is_pushed_in_batches_with_ids_that_make_a_rerun_a_replay(tmp_path: Path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"source": "jx", "records": records(5)}))
    platform, waits = Platform(), []
    totals = push_file(path, "http://x", "t", batch_size=2, post=platform, sleep=waits.append)
    assert [len(b["records"]) for b in platform.bodies] == [2, 2, 1]
    first_ids = [b["batch_id"] for b in platform.bodies]
    assert len(set(first_ids)) == 3
    push_file(path, "http://x", "t", batch_size=2, post=platform, sleep=waits.append)
    assert [b["batch_id"] for b in platform.bodies[3:]] == first_ids
    assert (totals.records, totals.accepted, totals.batches) == (5, 4, 3)
    assert [r["index"] for r in totals.rejected] == [3]  # the file's position, not the batch's


def test_unavailable_answers_are_retried_with_growing_waits(tmp_path: Path):
    path = tmp_path / "records.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records(2)))
    platform, waits = Platform([503, 429, 200]), []
    totals = push_file(path, "http://x", "t", source="jx", post=platform, sleep=waits.append)
    assert waits == [1.0, 2.0]
    assert totals.retries == 2 and totals.accepted == 2


def test_a_refusal_stops_at_once_and_so_do_exhausted_retries(tmp_path: Path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records(1)))
    with pytest.raises(ClientError, match="HTTP 401"):
        push_file(path, "http://x", "t", source="jx", post=Platform([401]), sleep=lambda s: None)
    with pytest.raises(ClientError, match="重试2次"):
        push_file(
            path,
            "http://x",
            "t",
            source="jx",
            retries=2,
            post=Platform([503] * 3),
            sleep=lambda s: None,
        )


def test_an_ndjson_file_needs_a_source(tmp_path: Path):
    path = tmp_path / "records.ndjson"
    path.write_text("{}\n")
    with pytest.raises(ClientError, match="--source"):
        push_file(path, "http://x", "t", post=Platform())
