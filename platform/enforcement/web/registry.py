"""The one place that adds views, APIs and menu entries: the menu is built in this order.

Areas define their views and APIs and register nothing themselves; this module imports them (never the
reverse). FAB keys permissions on the view class names, so a class keeps its name when it moves.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder import AppBuilder

from enforcement.services.location import location_note
from enforcement.web.base_data.api import (
    DepartmentApi,
    EnforcerApi,
    EnterpriseApi,
    EquipmentApi,
    RegionApi,
)
from enforcement.web.base_data.views import (
    AuditLogView,
    DepartmentView,
    EnforcerView,
    EnterpriseView,
    EquipmentView,
    ImportView,
    RegionView,
    TrainingRecordView,
)
from enforcement.web.cases.api import CaseApi
from enforcement.web.cases.views import CaseDeskView, CaseView
from enforcement.web.checklists.api import ChecklistApi
from enforcement.web.checklists.builder import ChecklistBuilderView
from enforcement.web.checklists.draft_api import ChecklistDraftApi
from enforcement.web.checklists.views import ChecklistView
from enforcement.web.docking.api import DockingApi
from enforcement.web.docking.views import DockingView, docked_documents
from enforcement.web.documents.signatures import DocumentSignatureView
from enforcement.web.documents.views import (
    DocumentAdminView,
    DocumentTemplateView,
    DocumentView,
    document_panel,
)
from enforcement.web.home import SectionView
from enforcement.web.library.api import LibraryApi
from enforcement.web.library.views import LibraryView, library_links
from enforcement.web.lookup import LookupView
from enforcement.web.statistics.api import StatisticsApi
from enforcement.web.statistics.views import StatisticsView, report_links
from enforcement.web.verify.views import EquipmentLabelView, VerifyView
from enforcement.web.workbench.api import HazardApi, InspectionApi, PlanApi, TaskApi
from enforcement.web.workbench.reminders import RemindersView
from enforcement.web.workbench.views import (
    HazardView,
    InspectionView,
    PlanView,
    RectificationView,
    SchemeView,
    TaskView,
    WorkbenchView,
)

WORKBENCH = "我的工作台"
STATISTICS = "统计查询"
LIBRARY = "执法资源库"
MAINTENANCE = "系统维护配置"
STATISTICS_ICONS = (
    "fa-industry",
    "fa-th",
    "fa-exclamation-triangle",
    "fa-wrench",
    "fa-line-chart",
    "fa-gavel",
    "fa-pie-chart",
    "fa-table",
)
LIBRARY_LINKS = (
    ("法律法规查询", "laws", "fa-balance-scale"),
    ("部门规章查询", "rules", "fa-gavel"),
    ("安全标准查询", "standards", "fa-check-circle-o"),
    ("相关文件查询", "documents", "fa-file-o"),
    ("典型执法案例查询", "cases", "fa-folder-open-o"),
    ("学习资料下载", "learning", "fa-graduation-cap"),
)


def register_views(appbuilder: AppBuilder) -> None:
    """Every view, API and menu entry, in the order of the notice's four menus."""
    # Step pages of any area show their 执法文书 through this template global.
    current_app.jinja_env.globals["document_panel"] = document_panel
    # …and the documents a provincial system docked for the case or inspection (web/docking).
    current_app.jinja_env.globals["docked_documents"] = docked_documents
    # The inspection page reads its recorded position against the enterprise's (workbench).
    current_app.jinja_env.globals["location_note"] = location_note
    # A legal basis anywhere links its 《titles》 to the library (read-only).
    current_app.jinja_env.filters["library_links"] = library_links

    appbuilder.add_view(RemindersView, "我的工作提醒", category=WORKBENCH, icon="fa-bell")
    # 统计查询 (web/statistics/): the eight reports of the notice. The former landing page keeps
    # its URL (/section/statistics/) without a menu entry.
    appbuilder.add_view_no_menu(SectionView)
    appbuilder.add_view_no_menu(LookupView)
    appbuilder.add_view_no_menu(StatisticsView)
    appbuilder.add_api(StatisticsApi)
    for (name, href), icon in zip(report_links(), STATISTICS_ICONS, strict=True):
        appbuilder.add_link(name, href=href, category=STATISTICS, icon=icon)
    appbuilder.add_link(
        "目标分母申报", href="/statistics/targets/", category=STATISTICS, icon="fa-flag-o"
    )
    # 数据对接 (web/docking/): what the provinces' systems pushed (feeds the 地区汇总), the spec.
    appbuilder.add_view(
        DockingView,
        "数据对接情况",
        href="/docking/monitor/",
        category=STATISTICS,
        icon="fa-exchange",
    )
    appbuilder.add_link("数据对接规范", href="/docking/spec/", category=STATISTICS, icon="fa-book")
    appbuilder.add_api(DockingApi)
    # 执法资源库 (web/library/): one view, a menu entry per collection; 文书模板 follows below.
    appbuilder.add_view_no_menu(LibraryView)
    appbuilder.add_api(LibraryApi)
    appbuilder.add_link("资源库概览", href="/library/", category=LIBRARY, icon="fa-book")
    for name, collection, icon in LIBRARY_LINKS:
        href = f"/library/?collection={collection}"
        appbuilder.add_link(name, href=href, category=LIBRARY, icon=icon)

    # 系统维护配置: the base data and the checklists.
    appbuilder.add_view(EnterpriseView, "执法对象", category=MAINTENANCE, icon="fa-industry")
    appbuilder.add_view(EquipmentView, "设备台账", category=MAINTENANCE, icon="fa-cogs")
    appbuilder.add_view(ChecklistView, "检查事项", category=MAINTENANCE, icon="fa-list-alt")
    appbuilder.add_view(
        ChecklistBuilderView, "检查事项编辑器", category=MAINTENANCE, icon="fa-pencil-square-o"
    )
    appbuilder.add_view(EnforcerView, "执法人员", category=MAINTENANCE, icon="fa-id-card")
    appbuilder.add_view_no_menu(TrainingRecordView)
    appbuilder.add_view(ImportView, "批量导入", category=MAINTENANCE, icon="fa-upload")
    appbuilder.add_view(DepartmentView, "执法部门", category=MAINTENANCE, icon="fa-sitemap")
    appbuilder.add_view(RegionView, "行政区划", category=MAINTENANCE, icon="fa-map")
    appbuilder.add_view(AuditLogView, "审计日志", category=MAINTENANCE, icon="fa-history")
    for api in (RegionApi, DepartmentApi, EnterpriseApi, EquipmentApi, EnforcerApi, ChecklistApi):
        appbuilder.add_api(api)
    # 检查事项编辑器 (web/checklists/): drafts built in the browser, for leaders and admins.
    appbuilder.add_api(ChecklistDraftApi)

    # 我的工作台: plans to rectification, then the ad-hoc checklist, documents and cases.
    appbuilder.add_view(PlanView, "监督检查计划", category=WORKBENCH, icon="fa-calendar")
    appbuilder.add_view(TaskView, "执法任务", category=WORKBENCH, icon="fa-tasks")
    appbuilder.add_view(SchemeView, "现场检查方案", category=WORKBENCH, icon="fa-file-text-o")
    appbuilder.add_view(InspectionView, "现场检查", category=WORKBENCH, icon="fa-search")
    appbuilder.add_view(HazardView, "问题隐患", category=WORKBENCH, icon="fa-exclamation-triangle")
    appbuilder.add_view(RectificationView, "整改复查", category=WORKBENCH, icon="fa-repeat")
    appbuilder.add_view_no_menu(WorkbenchView)
    for api in (PlanApi, TaskApi, InspectionApi, HazardApi):
        appbuilder.add_api(api)
    appbuilder.add_link(  # an ad-hoc check of any enterprise, outside a planned task
        "现场检查表", href="/checklists/fill/", category=WORKBENCH, icon="fa-check-square-o"
    )
    appbuilder.add_view(DocumentView, "执法文书", category=WORKBENCH, icon="fa-file-text-o")
    appbuilder.add_view(DocumentTemplateView, "文书模板", category=LIBRARY, icon="fa-files-o")
    appbuilder.add_view(
        DocumentAdminView, "文书管理（删除）", category=MAINTENANCE, icon="fa-trash"
    )
    appbuilder.add_view_no_menu(DocumentSignatureView)
    appbuilder.add_view_no_menu(EquipmentLabelView)
    # 扫码验真: public, so its lookups are limited per client address.
    verify = appbuilder.add_view_no_menu(VerifyView)
    appbuilder.sm.limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])(verify.blueprint)
    appbuilder.add_view(CaseView, "立案查处", category=WORKBENCH, icon="fa-gavel")
    appbuilder.add_view_no_menu(CaseDeskView)
    appbuilder.add_api(CaseApi)
