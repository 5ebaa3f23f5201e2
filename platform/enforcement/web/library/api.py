"""执法资源库 REST API: GET /api/v1/library/?q=&collection= (ranked) and GET /api/v1/library/<id>.

Scoped like every read: another province's entry answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from enforcement.domain import library as rules
from enforcement.models import LibraryEntry
from enforcement.services import library as service
from enforcement.web.base import SharedParameters, app_session
from enforcement.web.library.views import filters_from


def _summary(entry: LibraryEntry, snippet: str, score: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "collection": entry.collection,
        "collection_label": entry.collection_label,
        "title": entry.title,
        "issuer": entry.issuer,
        "number": entry.number,
        "status": entry.status,
        "status_label": entry.status_label,
        "effective": entry.effective_on.isoformat() if entry.effective_on else None,
        "national": entry.region_code is None,
        "region_code": entry.region_code,
        "snippet": snippet,
    }
    if score is not None:
        out["score"] = score
    return out


class LibraryApi(SharedParameters, BaseApi):
    resource_name = "library"
    openapi_spec_tag = "Library"

    def _error(self, status: int, path: str, message: str) -> Any:
        return self.response(status, message=message, errors=[{"path": path, "message": message}])

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def search(self) -> Any:
        """Ranked entries of the library.
        ---
        get:
          parameters:
          - {in: query, name: q, schema: {type: string}}
          - {in: query, name: collection, schema: {type: string}}
          - {in: query, name: status, schema: {type: string}}
          - {in: query, name: page, schema: {type: integer}}
          - {in: query, name: page_size, schema: {type: integer}}
          responses:
            200:
              description: '{"count": n, "result": [...]}, the hit marked with <mark> in snippet'
            422:
              description: unknown collection
        """
        collection = request.args.get("collection") or ""
        if collection and collection not in rules.STORED_COLLECTIONS:
            choices = "、".join(f"{k}（{rules.COLLECTIONS[k]}）" for k in rules.STORED_COLLECTIONS)
            return self._error(422, "/collection", "栏目应为 " + choices)
        try:
            page = max(0, int(request.args.get("page", 0)))
            size = max(1, min(100, int(request.args.get("page_size", service.PAGE_SIZE))))
        except ValueError:
            return self._error(422, "/page", "页码应为整数")
        result = service.search(app_session(), filters_from(request.args), page=page, size=size)
        return self.response(
            200,
            count=result.count,
            result=[_summary(hit.entry, hit.snippet, hit.score) for hit in result.hits],
        )

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get(self, pk: int) -> Any:
        """One entry with its files and versions.
        ---
        get:
          parameters:
          - pk
          responses:
            200:
              description: the entry
            404:
              description: no such entry in the caller's view
        """
        session = app_session()
        entry = service.get_entry(session, pk)
        if entry is None:
            return self._error(404, "/", "条目不存在")
        body = _summary(entry, rules.snippet([entry.summary], ""))
        body.update(
            {
                "published": entry.published_on.isoformat() if entry.published_on else None,
                "summary": entry.summary,
                "full_text": entry.body,
                "catalogue_only": not entry.has_full_text,
                "key_item_sets": entry.key_item_sets,
                "source": entry.source,
                "confidence": entry.confidence,
                "supersedes": entry.supersedes_id,
                "superseded_by": [e.id for e in service.later_versions(session, entry)],
                "files": [
                    {
                        "id": f.id,
                        "filename": f.filename,
                        "content_type": f.content_type,
                        "size": f.size,
                        "sha256": f.sha256,
                    }
                    for f in entry.files
                    if f.deleted_at is None
                ],
            }
        )
        return self.response(200, result=body)
