"""The reference client of the docking API: reads a file of records, pushes it in batches, retries.

Used by `enforcement docking push FILE --url … --token …`, so a provincial team can test its export
against the spec. Standard library only (urllib): a province runs it where nothing else is installed.
A batch's id is derived from the file's hash and the batch's position, so a push that is retried
after a lost answer, or run again, is a replay: the platform answers as before and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RETRY_STATUSES = {429, 502, 503, 504}
ENDPOINT = "/api/v1/docking/batch"


class ClientError(RuntimeError):
    """The push cannot go on (a 4xx answer, a file that is not records); a Chinese message."""


@dataclass
class Totals:
    batches: int = 0
    records: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0


def read_records(path: Path, source: str | None) -> tuple[str, Iterator[Any], int]:
    """(source, the file's records, their number): a JSON batch, a JSON list, or NDJSON."""
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        if not source:
            raise ClientError("NDJSON 文件须用 --source 指定来源系统标识")
        with path.open("rb") as handle:
            total = sum(1 for line in handle if line.strip())

        def lines() -> Iterator[Any]:
            with path.open("rb") as handle:
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except ValueError:
                            raise ClientError(f"第{number}行不是有效的 JSON") from None

        return source, lines(), total
    try:
        body = json.loads(path.read_bytes())
    except ValueError as exc:
        raise ClientError(f"文件不是有效的 JSON：{exc}") from None
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        chosen = source or body.get("source")
        records = body["records"]
    elif isinstance(body, list):
        chosen, records = source, body
    else:
        raise ClientError('文件应为批次 {"source", "records"}、记录列表或 NDJSON')
    if not chosen:
        raise ClientError("请用 --source 指定来源系统标识")
    return str(chosen), iter(records), len(records)


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _post(url: str, token: str, body: bytes, timeout: float) -> tuple[int, dict[str, Any], Any]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the user's URL)
            return response.status, json.loads(response.read() or b"{}"), response.headers
    except urllib.error.HTTPError as exc:
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {}
        return exc.code, payload if isinstance(payload, dict) else {}, exc.headers


def push_file(
    path: Path,
    url: str,
    token: str,
    *,
    source: str | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    retries: int = 5,
    backoff: float = 1.0,
    timeout: float = 300.0,
    progress: Callable[[int], None] = lambda n: None,
    sleep: Callable[[float], None] = time.sleep,
    post: Callable[[str, str, bytes, float], tuple[int, dict[str, Any], Any]] = _post,
) -> Totals:
    """Push the file's records; `progress(n)` after each batch of n records."""
    source, records, _ = read_records(path, source)
    prefix = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    endpoint = url.rstrip("/") + ENDPOINT + ("?dry_run=true" if dry_run else "")
    totals = Totals()
    for number, batch in enumerate(_batches(records, max(1, min(batch_size, 10_000)))):
        body = json.dumps(
            {"source": source, "batch_id": f"{prefix}-{number}", "records": batch},
            ensure_ascii=False,
        ).encode("utf-8")
        for attempt in range(retries + 1):
            try:
                status, answer, headers = post(endpoint, token, body, timeout)
            except (urllib.error.URLError, OSError) as exc:
                status, answer, headers = 0, {"message": f"连接失败：{exc}"}, {}
            if status == 200:
                break
            if status and status not in RETRY_STATUSES and status < 500:
                raise ClientError(
                    f"平台拒绝了第{number + 1}批（HTTP {status}）：{answer.get('message', '')}"
                )
            if attempt == retries:
                raise ClientError(
                    f"第{number + 1}批重试{retries}次后仍失败：{answer.get('message', status)}"
                )
            totals.retries += 1
            wait = backoff * 2**attempt
            retry_after = (headers or {}).get("Retry-After")
            if retry_after and str(retry_after).isdigit():
                wait = max(wait, float(retry_after))
            sleep(wait)
        offset = totals.records
        totals.batches += 1
        totals.records += len(batch)
        totals.accepted += answer.get("accepted", 0)
        totals.unchanged += answer.get("unchanged", 0)
        for rejected in answer.get("rejected", []):
            totals.rejected.append({**rejected, "index": offset + rejected.get("index", 0)})
        progress(len(batch))
    return totals
