"""数据对接 REST API under /api/v1/docking/ (the spec: schemas/docking/v1/, the page /docking/spec/).

POST /batch takes a batch as JSON `{"source", "batch_id"?, "records": [...]}` or as NDJSON (one
record a line, source and batch_id in the query), validates every record and answers
`{"accepted", "unchanged", "rejected"}`; `?dry_run=true` answers the same and writes nothing.
NDJSON is spooled to a temporary file while it is hashed and read a line at a time, so memory is
bounded by the body's bytes (MAX_CONTENT_LENGTH), not by records.
GET /export?type=&since= pages through the changes of one type with an opaque cursor.
GET /spec answers the schemas.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from flask import current_app, request, url_for
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.domain.errors import Conflict
from enforcement.domain.values import loads_bounded, value_problems
from enforcement.services.docking import export as exporting
from enforcement.services.docking import spec
from enforcement.services.docking.push import (
    BATCH_ID_PATTERN,
    MAX_RECORDS,
    SOURCE_PATTERN,
    TooManyRecords,
    push_batch,
)
from enforcement.web.base import app_session

NDJSON = ("application/x-ndjson", "application/ndjson", "application/jsonl")
BATCH_KEYS = {"source", "batch_id", "records"}
SPOOL_IN_MEMORY = 1024 * 1024


def openapi_schema(schema: Any) -> Any:
    """A JSON Schema of the spec as OpenAPI 3.0 reads it: no `$`/`x-` keys, no type lists."""
    if isinstance(schema, list):
        return [openapi_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        k: openapi_schema(v)
        for k, v in schema.items()
        if not k.startswith(("$", "x-")) and k != "examples"
    }
    if isinstance(out.get("type"), list):
        kinds = out.pop("type")
        string_only = ("minLength", "maxLength", "pattern")
        rest = {k: out.pop(k) for k in string_only if k in out}
        out["anyOf"] = [{"type": t, **(rest if t == "string" else {})} for t in kinds]
    return out


def _document_url(document_id: int) -> str:
    """Where a mirror fetches a document the platform generated: its own PDF download."""
    return url_for("DocumentView.pdf", document_id=document_id, _external=True)


def _bad_line(index: int, message: str) -> dict[str, Any]:
    return {"__docking_bad_line__": message, "index": index}


def _ndjson_records(body: IO[bytes]) -> Iterator[Any]:
    """The records of an NDJSON body, a line at a time; a line that is no JSON becomes a record
    the push rejects (the others go on)."""
    index = 0
    for raw in body:
        if not raw.strip():
            continue
        try:
            value = loads_bounded(raw)
        except (ValueError, RecursionError, UnicodeDecodeError):
            yield _bad_line(index, "该行不是有效的 JSON")
        else:
            problems = list(value_problems(value))
            yield _bad_line(index, problems[0][1]) if problems else value
        index += 1


class DockingApi(BaseApi):
    resource_name = "docking"
    openapi_spec_tag = "Docking"

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        if "DockingBatch" not in api_spec.components.schemas:
            api_spec.components.schema("DockingBatch", openapi_schema(spec.load_batch_schema()))

    def _error(self, status: int, path: str, message: str, code: str | None = None) -> Any:
        error = {"path": path, "message": message}
        if code:
            error["code"] = code
        return self.response(status, message=message, errors=[error])

    @expose("/batch", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def batch(self) -> Any:
        """Push a batch of records (数据对接推送).
        ---
        post:
          parameters:
          - {in: query, name: dry_run, schema: {type: boolean}, description: '试运行：只校验，不写入'}
          - {in: query, name: source, schema: {type: string}, description: 'NDJSON 时的来源系统标识'}
          - {in: query, name: batch_id, schema: {type: string}, description: 'NDJSON 时的批次号'}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/DockingBatch'}
              application/x-ndjson:
                schema: {type: string, description: '每行一条记录 {"type","id","data"}'}
          responses:
            200:
              description: '{"accepted", "unchanged", "rejected": [{"index","type","id","errors"}],
                "batch_id", "content_hash", "dry_run"}'
            400:
              description: the body is no batch (malformed JSON, a wrong envelope)
            409:
              description: the batch id was used for other content
            413:
              description: more than 10,000 records, or a body over the size limit
            415:
              description: neither JSON nor NDJSON
        """
        flag = (request.args.get("dry_run") or "false").lower()
        if flag not in ("true", "false", "1", "0"):
            return self._error(400, "/dry_run", "dry_run 应为 true 或 false", "wrong_type")
        dry_run = flag in ("true", "1")
        mimetype = request.mimetype
        if mimetype in NDJSON:
            return self._ndjson(dry_run)
        if mimetype != "application/json":
            return self._error(
                415, "/", "请以 application/json 或 application/x-ndjson 提交批次", "wrong_type"
            )
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge:
            return self._too_large()
        try:
            body = loads_bounded(raw) if raw.strip() else None
        except (ValueError, RecursionError, UnicodeDecodeError):
            return self._error(400, "/", "请求体不是有效的 JSON", "bad_format")
        if not isinstance(body, dict):
            return self._error(400, "/", '批次应为对象：{"source", "records"}', "wrong_type")
        for key in sorted(str(k) for k in body if k not in BATCH_KEYS):
            return self._error(
                400,
                f"/{key}",
                f"批次中没有字段“{key}”，应为 source、batch_id、records",
                "unknown_field",
            )
        records = body.get("records")
        if not isinstance(records, list):
            return self._error(400, "/records", "records 应为记录列表", "wrong_type")
        if len(records) > MAX_RECORDS:
            return self._too_many()
        return self._push(
            body.get("source"), body.get("batch_id"), records, hashlib.sha256(raw), dry_run
        )

    def _too_many(self) -> Any:
        return self._error(
            413, "/records", f"一个批次最多{MAX_RECORDS}条记录，请拆分后分批推送", "too_long"
        )

    def _too_large(self) -> Any:
        limit = current_app.config.get("DOCKING_MAX_BYTES") or current_app.config.get(
            "MAX_CONTENT_LENGTH"
        )
        size = f"{limit / (1024 * 1024):.1f}MB" if limit else "上限"
        message = f"请求体超过{size}：请拆分后分批推送（NDJSON 亦可）"
        return self._error(413, "/", message, "too_long")

    def _ndjson(self, dry_run: bool) -> Any:
        digest = hashlib.sha256()
        limit = current_app.config.get("DOCKING_MAX_BYTES") or current_app.config.get(
            "MAX_CONTENT_LENGTH"
        )
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spooled:
            size = 0
            try:
                while chunk := request.stream.read(64 * 1024):
                    size += len(chunk)
                    if limit and size > limit:
                        return self._too_large()
                    digest.update(chunk)
                    spooled.write(chunk)
            except RequestEntityTooLarge:
                return self._too_large()
            spooled.seek(0)
            return self._push(
                request.args.get("source"),
                request.args.get("batch_id"),
                _ndjson_records(spooled),  # type: ignore[arg-type]
                digest,
                dry_run,
            )

    def _push(self, source: Any, batch_id: Any, records: Any, digest: Any, dry_run: bool) -> Any:
        if not isinstance(source, str) or not re.fullmatch(SOURCE_PATTERN, source):
            return self._error(
                400,
                "/source",
                "source（来源系统标识）应为1-64位字母、数字、点、下划线或连字符",
                "bad_format",
            )
        if batch_id is not None and (
            not isinstance(batch_id, str) or not re.fullmatch(BATCH_ID_PATTERN, batch_id)
        ):
            return self._error(
                400,
                "/batch_id",
                "batch_id 应为1-64位字母、数字、点、冒号、下划线或连字符",
                "bad_format",
            )
        content_hash = digest.hexdigest()
        try:
            answer, replay = push_batch(
                app_session(),
                source,
                records,
                digest=content_hash,
                batch_id=batch_id,
                dry_run=dry_run,
            )
        except TooManyRecords:
            return self._too_many()
        except Conflict as exc:
            return self._error(409, "/batch_id", str(exc), "conflict")
        response = self.response(
            200,
            **answer,
            batch_id=batch_id or content_hash,
            content_hash=content_hash,
            dry_run=dry_run,
        )
        if replay:
            response.headers["X-Docking-Replay"] = "true"
        return response

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def export(self) -> Any:
        """Changes of one record type since a cursor (数据对接拉取).
        ---
        get:
          parameters:
          - in: query
            name: type
            required: true
            schema: {type: string, enum: [department, enforcer, enterprise, equipment, plan,
              inspection, hazard, rectification, case, penalty, document]}
          - {in: query, name: since, schema: {type: string}, description: '上一页的 next；首次不填'}
          - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 2000}}
          responses:
            200:
              description: '{"records": [{"type","id","data","hash"} or {"type","id","deleted": true}],
                "next": "<cursor>", "more": bool}'
            400:
              description: unknown type, a cursor this platform did not issue, a bad limit
        """
        record_type = request.args.get("type") or ""
        if record_type not in spec.TYPES:
            return self._error(
                400, "/type", "type 应为记录类型之一：" + "、".join(spec.TYPES), "unknown_type"
            )
        raw_limit = request.args.get("limit") or str(exporting.PAGE)
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= exporting.MAX_PAGE:
            return self._error(
                400, "/limit", f"limit 应为1到{exporting.MAX_PAGE}的整数", "out_of_range"
            )
        try:
            page = exporting.export_page(
                app_session(),
                record_type,
                request.args.get("since"),
                int(raw_limit),
                file_url=_document_url,
            )
        except exporting.BadCursor as exc:
            return self._error(400, "/since", str(exc), "bad_format")
        return self.response(200, records=page.records, next=page.next, more=page.more)

    @expose("/spec", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def spec(self) -> Any:
        """The data spec: one JSON Schema per record type, and the batch.
        ---
        get:
          responses:
            200:
              description: '{"version", "types": {type: schema}, "batch": schema, "codes": {...}}'
        """
        return self.response(
            200,
            version=spec.VERSION,
            types=spec.load(),
            batch=spec.load_batch_schema(),
            codes=spec.CODES,
        )
