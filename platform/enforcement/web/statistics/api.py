"""统计查询 REST API: GET /api/v1/statistics/<report>[.xlsx], the county matrix, one enterprise.

A region outside the caller's jurisdiction answers 404; bad parameters 400 with
`{"message", "errors": [{"path", "message"}]}` in Chinese.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from enforcement.domain.errors import Refused
from enforcement.services import statistics as service
from enforcement.services.checklists import platform_of
from enforcement.web.base import app_session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, title: str) -> Response:
    from urllib.parse import quote

    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=statistics.xlsx; filename*=UTF-8''{quote(title)}.xlsx"
    )
    return response


class StatisticsApi(BaseApi):
    resource_name = "statistics"
    openapi_spec_tag = "Statistics"

    def _refused(self, refused: Refused) -> Any:
        return self.response(400, **refused.as_json())

    def _absent(self) -> Any:
        return self.response(404, message="未找到：不存在或不在您的管辖范围内")

    def _query(self) -> service.Query:
        return service.parse_query(app_session(), platform_of(), request.args)

    @expose("/matrix", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def matrix(self) -> Any:
        """A county's enterprises × key items, one status per cell.
        ---
        get:
          parameters:
          - {in: query, name: region, schema: {type: string}}
          responses:
            200: {description: '{"region", "items", "rows": [{"enterprise_id", "name", "cells"}]}'}
            400: {description: bad parameters, or not a county}
            404: {description: region outside the jurisdiction}
        """
        try:
            query = self._query()
        except Refused as refused:
            return self._refused(refused)
        except service.NotVisible:
            return self._absent()
        if query.level != "county":
            return self._refused(Refused("请选择县级行政区划查看企业检查事项矩阵", "/region"))
        return self.response(200, **service.matrix(app_session(), platform_of(), query))

    @expose("/enterprise/<int:enterprise_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def enterprise(self, enterprise_id: int) -> Any:
        """One enterprise's key items (per equipment where an item repeats).
        ---
        get:
          parameters:
          - {in: path, name: enterprise_id, schema: {type: integer}, required: true}
          responses:
            200: {description: '{"enterprise", "items"}'}
            404: {description: enterprise outside the jurisdiction}
        """
        try:
            detail = service.enterprise_detail(app_session(), platform_of(), enterprise_id)
        except service.NotVisible:
            return self._absent()
        return self.response(200, **detail)

    @expose("/<report>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def table(self, report: str) -> Any:
        """One report table (or, with .xlsx, its workbook).
        ---
        get:
          parameters:
          - {in: path, name: report, schema: {type: string}, required: true}
          - {in: query, name: region, schema: {type: string}}
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          - {in: query, name: plugin, schema: {type: string}}
          - {in: query, name: sector, schema: {type: string}}
          - {in: query, name: tag, schema: {type: string}}
          - {in: query, name: item, schema: {type: string}}
          responses:
            200: {description: '{"region", "columns", "rows", "total"}'}
            400: {description: bad parameters}
            404: {description: unknown report, or region outside the jurisdiction}
        """
        excel = report.endswith(".xlsx")
        name = report.removesuffix(".xlsx")
        if name not in service.REPORTS:
            return self._absent()
        try:
            query = self._query()
        except Refused as refused:
            return self._refused(refused)
        except service.NotVisible:
            return self._absent()
        # The workbook carries a county's item matrix as a sheet; the JSON answers it at /matrix.
        table = service.report(app_session(), platform_of(), name, query, matrix=excel)
        if excel:
            title = service.REPORTS[name]
            return xlsx_response(service.table_xlsx(table, title), title)
        return self.response(200, **table.as_json())
