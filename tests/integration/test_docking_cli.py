"""`enforcement docking push`: a progress bar, a summary, one line per rejection, exit 1 on any."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from enforcement.services.docking import client

ERROR = {"path": "/records/3/data/title", "message": "缺少必填字段“title”", "code": "missing"}


def fake_platform(url: str, token: str, body: bytes, timeout: float) -> tuple[int, dict, dict]:
    records = json.loads(body)["records"]
    rejected = [
        {"index": i, "type": "plan", "id": r["id"], "errors": [ERROR]}
        for i, r in enumerate(records)
        if r["id"] == "3"
    ]
    return 200, {"accepted": len(records) - len(rejected), "unchanged": 0, "rejected": rejected}, {}


def test_the_command_prints_a_summary_and_fails_on_rejections(tmp_path: Path, monkeypatch):
    from enforcement.cli import main

    path = tmp_path / "records.json"
    path.write_text(
        json.dumps(
            {
                "source": "jx",
                "records": [{"type": "plan", "id": str(i), "data": {}} for i in range(4)],
            }
        )
    )
    # push_file's transport is bound as its default: the fake platform replaces it.
    defaults = {**client.push_file.__kwdefaults__, "post": fake_platform}
    monkeypatch.setattr(client.push_file, "__kwdefaults__", defaults)
    result = CliRunner().invoke(
        main, ["docking", "push", str(path), "--url", "http://x", "--token", "t"]
    )
    assert result.exit_code == 1, result.output
    assert "共4条记录、1批：接受3，无变化0，拒绝1" in result.output
    assert "第4条 plan 3 /records/3/data/title: 缺少必填字段“title”（missing）" in result.output
