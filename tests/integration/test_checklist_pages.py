"""检查事项 pages and the 现场检查表: overview and export, bureau uploads (preview, publish, retire),
the fill page, evidence files. The module has its own copy of the demo database; still, every test
creates what it needs under unique names and assumes nothing about what other tests did.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import uuid
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    ChecklistUpload,
    Department,
    EvidenceFile,
)
from support import demo
from support.demo import DEMO_PASSWORD, DustEnterprise, db, enterprise_in
from support.files import png_bytes
from support.web import logged_in

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_ITEMS = {"steel": 8, "aluminum": 7, "dust": 6, "confined_space": 4, "duty7": 7}
DONGHU, JINJIANG = "360102", "510104"
BUREAU_PLUGIN = "bureau.360102.dust_extra"

# ../shared/design/example-plugin.json, byte for byte: a county bureau's plugin, accepted as is.
EXAMPLE_PLUGIN = """{
  "schema_version": 1,
  "id": "bureau.360102.dust_extra",
  "version": "1.0.0",
  "title": "粉尘涉爆企业补充检查事项（示例）",
  "description": "A county bureau's own checklist: two items, one repeated per dust-removal system.",
  "issuer": { "level": "county", "region": "360102", "name": "南昌市东湖区应急管理局" },
  "applies_to": { "tags": ["dust"], "equipment_types": ["dry_dust_collector"] },
  "equipment_types": [
    { "id": "dry_dust_collector", "title": "干式除尘系统" }
  ],
  "items": [
    {
      "id": "bureau.360102.dust_extra.explosion_control",
      "section": "除尘系统",
      "title": "干式除尘系统控爆措施",
      "content": "干式除尘系统未规范采用泄爆、隔爆、惰化、抑爆、抗爆等一种或多种控爆措施。",
      "method": "查资料：除尘器设计资料、控爆装置合格证及维护记录；查现场：泄爆口朝向与泄爆区域、隔爆阀、抑爆装置设置及完好。",
      "severity": "major",
      "repeat": { "for_each": "equipment", "equipment_type": "dry_dust_collector" },
      "answer": { "type": "string", "enum": ["compliant", "non_compliant", "not_applicable"] },
      "follow_ups": [
        {
          "id": "missing_measures",
          "title": "缺少的控爆措施",
          "when": { "schema": { "const": "non_compliant" } },
          "answer": {
            "type": "array",
            "items": { "type": "string", "enum": ["泄爆", "隔爆", "惰化", "抑爆", "抗爆"] },
            "minItems": 1,
            "uniqueItems": true
          }
        },
        {
          "id": "defect",
          "title": "问题描述",
          "when": { "schema": { "const": "non_compliant" } },
          "answer": { "type": "string", "minLength": 5 }
        }
      ],
      "evidence": [
        { "kind": "photo", "min": 1, "caption": "除尘器及控爆装置现场照片", "when": { "schema": { "const": "non_compliant" } } }
      ],
      "legal_basis": [
        { "law": "《中华人民共和国安全生产法》", "article": "第三十六条", "clause": "第一款" },
        { "law": "《粉尘防爆安全规程》(GB 15577-2018)" }
      ],
      "penalty_basis": {
        "law": "《中华人民共和国安全生产法》",
        "article": "第九十九条",
        "item": "第（二）项",
        "measures": ["order_rectification", "fine", "suspend_operation"],
        "fine": { "currency": "CNY", "max": 50000 }
      }
    },
    {
      "id": "bureau.360102.dust_extra.cleaning_record",
      "section": "粉尘清理",
      "title": "粉尘清理制度与清扫记录",
      "content": "未按规范制定粉尘清理制度，作业现场积尘未及时规范清扫。",
      "method": "查资料：粉尘清理制度、清扫记录；查现场：作业现场及设备设施积尘情况。",
      "severity": "general",
      "answer": { "type": "boolean", "title": "制度健全且现场无明显积尘" },
      "follow_ups": [
        {
          "id": "last_cleaning_date",
          "title": "最近一次清扫日期",
          "when": { "schema": { "const": true } },
          "answer": { "type": "string", "format": "date" }
        }
      ],
      "evidence": [
        { "kind": "document", "min": 1, "caption": "清扫记录", "when": { "schema": { "const": true } } },
        { "kind": "photo", "min": 1, "caption": "积尘部位照片", "when": { "schema": { "const": false } } }
      ],
      "legal_basis": [
        { "law": "《工贸企业粉尘防爆安全规定》(应急管理部令第6号)" }
      ],
      "penalty_basis": {
        "law": "《中华人民共和国安全生产法》",
        "article": "第一百零二条",
        "measures": ["order_rectification", "fine"],
        "fine": { "currency": "CNY", "max": 50000 }
      }
    }
  ]
}
"""


def plugin_rows(page: str) -> dict[tuple[str, str], str]:
    """(plugin id, version) → the <tr> of the versions table."""
    rows = re.findall(
        r'<tr class="plugin-row" data-plugin="([^"]+)" data-version="([^"]+)".*?</tr>', page, re.S
    )
    bodies = re.findall(r'(<tr class="plugin-row".*?</tr>)', page, re.S)
    return {key: body for key, body in zip(rows, bodies, strict=True)}


def form_data(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="checklist-data">(.*?)</script>', page, re.S
    )
    assert found, "the page embeds the form as JSON"
    return json.loads(found.group(1))


def upload(client: Any, text: str | bytes, filename: str = "plugin.json") -> Any:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/checklists/upload/",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def free_version(app: Any, plugin_id: str, base: str = "1.0.0") -> str:
    """`base` when nobody uploaded it yet in this session, else the next unused patch version."""
    with app.app_context():
        taken = set(
            app.appbuilder.session.scalars(
                select(ChecklistUpload.version).where(ChecklistUpload.plugin_id == plugin_id)
            )
        )
    major, minor, patch = (int(p) for p in base.split("."))
    for n in itertools.count(patch):
        if f"{major}.{minor}.{n}" not in taken:
            return f"{major}.{minor}.{n}"
    raise AssertionError("unreachable")


def example_text(version: str) -> str:
    """The example as is for 1.0.0; otherwise a copy with a bumped version."""
    if version == "1.0.0":
        return EXAMPLE_PLUGIN
    declaration = json.loads(EXAMPLE_PLUGIN)
    declaration["version"] = version
    return json.dumps(declaration, ensure_ascii=False, indent=2)


def dust_enterprise(app: Any, region: str) -> DustEnterprise:
    with db(app) as session:
        return demo.dust_enterprise(session, region)


def evidence_regions(app: Any, sha: str) -> list[str]:
    """The regions that have a row for this file (one row per uploading region), unscoped."""
    with app.app_context():
        return list(
            app.appbuilder.session.scalars(
                select(EvidenceFile.region_code)
                .where(EvidenceFile.sha256 == sha)
                .order_by(EvidenceFile.region_code)
                .execution_options(**{UNSCOPED: True})
            )
        )


def post_evidence(
    client: Any, enterprise_id: int, data: bytes, filename: str, mimetype: str
) -> Any:
    return client.post(
        "/checklists/evidence/",
        data={"enterprise_id": str(enterprise_id), "file": (io.BytesIO(data), filename, mimetype)},
        content_type="multipart/form-data",
    )


# ---------------------------------------------------------------------------------------------
# 检查事项 overview and export


def test_overview_lists_the_five_builtins_with_their_item_counts(as_user):
    page = as_user("donghu").get("/checklists/").get_data(as_text=True)
    rows = plugin_rows(page)
    for plugin_id, count in BUILTIN_ITEMS.items():
        # 1.1.0 for the four the legal review changed; 1.0.0 listed too, retired (kept for the
        # inspections recorded on it)
        current = "1.0.0" if plugin_id == "duty7" else "1.1.0"
        row = rows[(plugin_id, current)]
        assert f'class="item-count">{count}</td>' in row, plugin_id
        assert "内置" in row and "已发布" in row and "全国" in row
        # Extension points and confidence are an administrator's, never in an inspector's way.
        assert "register_checklists" not in row
        if current != "1.0.0":
            assert 'data-status="retired"' in rows[(plugin_id, "1.0.0")]
    assert "检查事项清单" in page and 'class="table-responsive-wrap"' in page
    assert "可信度" not in page and "实现的扩展点" not in page


def test_an_admin_sees_the_hooks_and_the_confidence_on_the_overview(as_user):
    page = as_user("admin").get("/checklists/").get_data(as_text=True)
    rows = plugin_rows(page)
    assert all("register_checklists" in rows[(p, "1.0.0")] for p in BUILTIN_ITEMS)
    assert "可信度" in page and "实现的扩展点" in page


def test_overview_items_table_lists_every_active_item_and_q_filters_it(as_user):
    client = as_user("donghu")
    page = client.get("/checklists/").get_data(as_text=True)
    shown = set(re.findall(r'<tr class="item-row" data-item="([^"]+)"', page))
    builtin = {
        i["id"]
        for p in BUILTIN_ITEMS
        for i in json.loads((ROOT / "plugins" / p / "plugin.json").read_text())["items"]
    }
    assert builtin <= shown
    assert "重大隐患" in page and "干式除尘系统" in page  # severity badge, 逐设备 type
    filtered = client.get("/checklists/?q=FC-02").get_data(as_text=True)
    assert re.findall(r'<tr class="item-row" data-item="([^"]+)"', filtered) == ["dust.fc02"]


def test_export_is_an_xlsx_whose_rows_are_the_items(as_user):
    client = as_user("donghu")
    response = client.get("/checklists/export/")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    column = header.index("事项标识")
    ids = [row[column] for row in rows]
    assert len(ids) == len(set(ids))
    for plugin_id, count in BUILTIN_ITEMS.items():
        assert len([i for i in ids if i.startswith(plugin_id + ".")]) == count, plugin_id
    assert {
        "检查表",
        "事项编号",
        "检查事项",
        "隐患等级",
        "逐设备类型",
        "法律依据",
        "可信度",
    } <= set(header)

    filtered = openpyxl.load_workbook(
        io.BytesIO(client.get("/checklists/export/?q=dust.fc").data)
    ).active
    header, *rows = list(filtered.iter_rows(values_only=True))
    assert sorted(row[header.index("事项标识")] for row in rows) == [
        f"dust.fc0{n}" for n in range(1, 7)
    ]


# ---------------------------------------------------------------------------------------------
# Uploads


def test_inspectors_cannot_upload_plugins(app):
    inspector = logged_in(app, "donghu")
    assert inspector.get("/checklists/upload/").status_code == 403
    assert upload(inspector, EXAMPLE_PLUGIN).status_code == 403
    assert logged_in(app, "nanchang").get("/checklists/upload/").status_code == 200  # a leader


def test_uploading_a_malformed_plugin_shows_every_error_with_its_pointer_and_saves_nothing(
    app, as_user
):
    client = as_user("nanchang")
    with app.app_context():
        before = app.appbuilder.session.scalar(select(func.count()).select_from(ChecklistUpload))
    declaration = json.loads(EXAMPLE_PLUGIN)
    declaration["id"] = f"bureau.360102.broken_{uuid.uuid4().hex[:8]}"
    declaration["version"] = "1.0"
    declaration["colour"] = "red"
    del declaration["items"][0]["method"]
    declaration["items"][1]["severity"] = "critical"
    response = upload(client, json.dumps(declaration, ensure_ascii=False), "broken.json")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    pointers = set(re.findall(r'<tr class="plugin-error-row" data-pointer="([^"]*)"', page))
    assert {"/version", "/colour", "/items/0", "/items/1/severity"} <= pointers
    assert "缺少必填字段“method”" in page and "未保存任何内容" in page

    syntax = upload(client, '{\n  "id": "x",\n  "items": [,]\n}', "syntax.json")
    assert syntax.status_code == 422
    assert "第 3 行第 13 列" in syntax.get_data(as_text=True)

    wrong_type = upload(client, EXAMPLE_PLUGIN, "plugin.txt")
    assert "只支持 .json 文件" in wrong_type.get_data(as_text=True)
    too_big = upload(client, " " * (1024 * 1024 + 1), "big.json")
    assert too_big.status_code == 413 and "1 MB" in too_big.get_data(as_text=True)
    with app.app_context():
        assert (
            app.appbuilder.session.scalar(select(func.count()).select_from(ChecklistUpload))
            == before
        )


def test_a_plugin_outside_the_leaders_region_is_refused(as_user):
    declaration = json.loads(EXAMPLE_PLUGIN)
    declaration["id"] = f"bureau.510104.x{uuid.uuid4().hex[:8]}"
    declaration["issuer"] = {
        "level": "county",
        "region": JINJIANG,
        "name": "成都市锦江区应急管理局",
    }
    for item in declaration["items"]:
        item["id"] = declaration["id"] + "." + item["id"].rsplit(".", 1)[1]
    response = upload(
        as_user("nanchang"), json.dumps(declaration, ensure_ascii=False), "foreign.json"
    )
    assert response.status_code == 422
    assert 'data-pointer="/issuer/region"' in response.get_data(as_text=True)


def test_example_plugin_uploads_previews_publishes_and_reaches_only_its_county(app):
    leader = logged_in(app, "nanchang")
    inspector = logged_in(app, "donghu")
    neighbour = logged_in(app, "jinjiang")
    version = free_version(app, BUREAU_PLUGIN)

    response = upload(leader, example_text(version), "example-plugin.json")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    preview_url = response.headers["Location"]
    upload_id = int(preview_url.rstrip("/").rsplit("/", 1)[1])

    preview = leader.get(preview_url).get_data(as_text=True)
    assert "干式除尘系统控爆措施" in preview and "粉尘清理制度与清扫记录" in preview
    data = form_data(preview)
    assert data["mode"] == "preview" and data["plugin_id"] == BUREAU_PLUGIN
    groups = [g["label"] for c in data["ui_schema"]["elements"] for g in c["elements"]]
    assert groups == ["干式除尘系统控爆措施", "粉尘清理制度与清扫记录"]
    assert 'id="publish-upload"' in preview and "草稿" in preview
    assert 'id="cl-submit"' not in preview  # a demonstration: nothing to submit

    # A draft is seen inside the region only, and not yet offered to inspectors.
    assert (BUREAU_PLUGIN, version) in plugin_rows(
        inspector.get("/checklists/").get_data(as_text=True)
    )
    assert neighbour.get(preview_url).status_code == 404
    enterprise = dust_enterprise(app, DONGHU)
    fill_url = f"/checklists/fill/{enterprise.id}"
    if version == "1.0.0":
        assert f'data-plugin="{BUREAU_PLUGIN}"' not in inspector.get(fill_url).get_data(
            as_text=True
        )

    published = leader.post(f"/checklists/publish/{upload_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "已发布：" in published and 'id="retire-upload"' in published

    # 东湖区: the checklist is offered for a dust enterprise with its dry dust collectors prefilled.
    page = inspector.get(fill_url).get_data(as_text=True)
    assert f'data-plugin="{BUREAU_PLUGIN}"' in page
    data = form_data(inspector.get(f"{fill_url}?plugin={BUREAU_PLUGIN}").get_data(as_text=True))
    assert data["plugin_id"] == BUREAU_PLUGIN and data["version"] == version
    assert data["enterprise_id"] == enterprise.id
    collectors = [e for e in data["equipment"] if e["type"] == "dry_dust_collector"]
    assert len(collectors) == len(enterprise.collectors) and all(
        e["id"] and e["name"] for e in collectors
    )
    listed = inspector.get("/api/v1/checklist/").get_json()["result"]
    assert BUREAU_PLUGIN in {c["id"] for c in listed}

    # 锦江区 never sees it: not in the overview, not through the API.
    overview = neighbour.get("/checklists/").get_data(as_text=True)
    assert BUREAU_PLUGIN not in overview
    assert BUREAU_PLUGIN not in {
        c["id"] for c in neighbour.get("/api/v1/checklist/").get_json()["result"]
    }
    assert neighbour.get(f"/api/v1/checklist/{BUREAU_PLUGIN}/uischema").status_code == 404
    assert neighbour.get(preview_url).status_code == 404

    # The same version twice is refused.
    again = upload(leader, example_text(version), "example-plugin.json")
    assert again.status_code == 422 and 'data-pointer="/version"' in again.get_data(as_text=True)


def test_retiring_a_published_version_stops_offering_it(app):
    leader = logged_in(app, "nanchang")
    inspector = logged_in(app, "donghu")
    declaration = json.loads(EXAMPLE_PLUGIN)
    plugin_id = f"bureau.360102.r{uuid.uuid4().hex[:8]}"
    declaration["id"] = plugin_id
    for item in declaration["items"]:
        item["id"] = plugin_id + "." + item["id"].rsplit(".", 1)[1]
    response = upload(leader, json.dumps(declaration, ensure_ascii=False), "retire.json")
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    leader.post(f"/checklists/publish/{upload_id}")
    fill_url = f"/checklists/fill/{dust_enterprise(app, DONGHU).id}"
    assert f'data-plugin="{plugin_id}"' in inspector.get(fill_url).get_data(as_text=True)
    retired = leader.post(f"/checklists/retire/{upload_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "已停用：" in retired
    assert f'data-plugin="{plugin_id}"' not in inspector.get(fill_url).get_data(as_text=True)
    row = plugin_rows(inspector.get("/checklists/").get_data(as_text=True))[(plugin_id, "1.0.0")]
    assert "已停用" in row and "上传" in row and "南昌市" in row


# ---------------------------------------------------------------------------------------------
# 现场检查表


def test_fill_page_of_another_countys_enterprise_is_404(app, as_user):
    with db(app) as session:
        foreign, own = enterprise_in(session, JINJIANG).id, enterprise_in(session, DONGHU).id
    client = as_user("donghu")
    assert client.get(f"/checklists/fill/{foreign}").status_code == 404
    assert client.get(f"/checklists/fill/{own}").status_code == 200


def test_fill_page_embeds_the_form_as_json_without_inline_script(app, as_user):
    enterprise = dust_enterprise(app, DONGHU)
    client = as_user("donghu")
    response = client.get(f"/checklists/fill/{enterprise.id}?plugin=dust")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    data = form_data(page)
    assert data["plugin_id"] == "dust" and data["mode"] == "fill"
    assert data["schema_hash"] == client.get("/api/v1/checklist/dust/schema").get_json()["sha256"]
    assert data["ui_schema"]["options"]["plugin_id"] == "dust"
    assert {e["type"] for e in data["equipment"]} >= {"dry_dust_collector"}
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or (" src=" in tag and f'nonce="{nonce}"' in tag), (
            tag
        )
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert "/static/enforcement/js/checklist-form.js" in page
    assert client.get("/static/enforcement/js/checklist-form.js").status_code == 200


def test_enterprise_picker_lists_only_the_users_enterprises(app, as_user):
    with app.app_context():
        own = enterprise_in(app.appbuilder.session, DONGHU)
        foreign = enterprise_in(app.appbuilder.session, JINJIANG)
        own_name, foreign_name = own.name, foreign.name
    client = as_user("donghu")

    def listed(query: str) -> str:
        page = client.get(f"/checklists/fill/?q={query}").get_data(as_text=True)
        return page.split('id="enterprise-list"', 1)[1]

    assert own_name in listed(own_name)
    assert foreign_name not in listed(foreign_name)


def test_answers_api_errors_point_at_the_fields_the_form_draws(app, as_user):
    """The form sends every item (unanswered ones as {} or {equipment_id}): errors name those fields."""
    enterprise = dust_enterprise(app, DONGHU)
    client = as_user("donghu")
    data = form_data(
        client.get(f"/checklists/fill/{enterprise.id}?plugin=dust").get_data(as_text=True)
    )
    collectors = [e["id"] for e in data["equipment"] if e["type"] == "dry_dust_collector"]
    answers: dict[str, Any] = {f"dust.fc0{n}": {} for n in (1, 5, 6)}
    for n in (2, 3, 4):
        answers[f"dust.fc0{n}"] = [{"equipment_id": i} for i in collectors]
    answers["dust.fc02"][0] = {
        "equipment_id": collectors[0],
        "answer": "non_compliant",
        "evidence": {"photo": []},
    }
    response = client.post(
        "/api/v1/checklist/dust/answers",
        json={"enterprise_id": enterprise.id, "answers": answers, "submit": True},
    )
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert {
        "/dust.fc01/answer",
        "/dust.fc02/0/defect",
        "/dust.fc02/0/evidence/photo",
        "/dust.fc03/0/answer",
    } <= paths


# ---------------------------------------------------------------------------------------------
# Evidence


def test_evidence_refuses_an_exe_renamed_to_jpg_and_an_oversize_file(app, as_user):
    enterprise = dust_enterprise(app, DONGHU)
    client = as_user("donghu")
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"
        + b"\x00" * 200
        + b"This program cannot be run in DOS mode."
    )
    response = post_evidence(client, enterprise.id, exe, "现场照片.jpg", "image/jpeg")
    assert response.status_code == 422
    assert "文件类型不支持" in response.get_json()["message"]
    oversize = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024)
    response = post_evidence(client, enterprise.id, oversize, "big.png", "image/png")
    assert response.status_code == 413
    assert "10 MB" in response.get_json()["message"]
    for data in (exe, oversize):
        assert evidence_regions(app, hashlib.sha256(data).hexdigest()) == []


def test_evidence_accepts_a_small_png_and_serves_it_only_inside_the_jurisdiction(app):
    enterprise = dust_enterprise(app, DONGHU)
    inspector, leader, neighbour = (logged_in(app, u) for u in ("donghu", "nanchang", "jinjiang"))
    data = png_bytes(uuid.uuid4().int % (1 << 24))
    sha = hashlib.sha256(data).hexdigest()
    response = post_evidence(inspector, enterprise.id, data, "photo.png", "image/png")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"sha256": sha, "size": len(data), "content_type": "image/png"}
    stored = Path(app.config["DATA_DIR"]) / "evidence" / sha[:2] / sha
    assert stored.read_bytes() == data
    with app.app_context():
        row = app.appbuilder.session.get(
            EvidenceFile, (sha, DONGHU), execution_options={UNSCOPED: True}
        )
        assert row.uploaded_by == "donghu"
    assert evidence_regions(app, sha) == [DONGHU]

    for client in (inspector, leader):
        served = client.get(f"/checklists/evidence/{sha}")
        assert served.status_code == 200 and served.mimetype == "image/png" and served.data == data
    assert neighbour.get(f"/checklists/evidence/{sha}").status_code == 404
    assert neighbour.get(f"/checklists/evidence/{'0' * 64}").status_code == 404


def test_evidence_for_another_countys_enterprise_is_refused(app):
    with db(app) as session:
        foreign, own = enterprise_in(session, JINJIANG).id, enterprise_in(session, DONGHU).id
    client = logged_in(app, "donghu")
    photo = png_bytes(uuid.uuid4().int % (1 << 24))
    assert post_evidence(client, foreign, photo, "photo.png", "image/png").status_code == 404
    assert post_evidence(client, own, photo, "photo.png", "image/png").status_code == 201


# ---------------------------------------------------------------------------------------------
# Plugin ids belong to their issuer

ISSUERS = {
    DONGHU: {"level": "county", "region": DONGHU, "name": "南昌市东湖区应急管理局"},
    JINJIANG: {"level": "county", "region": JINJIANG, "name": "成都市锦江区应急管理局"},
}
ID_TAKEN = "该检查事项编号已被占用，请换一个编号"


def plugin_text(plugin_id: str, version: str, region: str) -> str:
    """The example plugin under another id, version and issuing county."""
    declaration = json.loads(EXAMPLE_PLUGIN)
    declaration["id"], declaration["version"] = plugin_id, version
    declaration["issuer"] = ISSUERS[region]
    for item in declaration["items"]:
        item["id"] = plugin_id + "." + item["id"].rsplit(".", 1)[1]
    return json.dumps(declaration, ensure_ascii=False)


def user_of(app: Any, username: str, role: str, region_like: str) -> Any:
    """A logged-in user of `role` in the first demo department whose region matches (created once)."""
    with app.app_context():
        session = app.appbuilder.session
        sm = app.appbuilder.sm
        if sm.find_user(username=username) is None:
            department = session.scalars(
                select(Department)
                .where(Department.region_code.like(region_like), Department.level == "county")
                .order_by(Department.region_code)
                .execution_options(**{UNSCOPED: True})
            ).first()
            assert department is not None, region_like
            user = sm.add_user(
                username,
                username,
                "",
                f"{username}@example.invalid",
                sm.find_role(role),
                DEMO_PASSWORD,
            )
            user.department_id = department.id
            session.commit()
    return logged_in(app, username)


def refusal(response: Any) -> list[tuple[str, str]]:
    """(pointer, message) of every error an upload page lists."""
    assert response.status_code == 422, response.status_code
    rows = re.findall(
        r'<tr class="plugin-error-row" data-pointer="([^"]*)">.*?class="cl-primary">(.*?)</td>',
        response.get_data(as_text=True),
        re.S,
    )
    return [(pointer, html.unescape(message)) for pointer, message in rows]


def upload_id_of(response: Any) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def uploads_of(app: Any, plugin_id: str) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return list(
            app.appbuilder.session.execute(
                select(
                    ChecklistUpload.version, ChecklistUpload.status, ChecklistUpload.scope_region
                )
                .where(ChecklistUpload.plugin_id == plugin_id)
                .order_by(ChecklistUpload.id)
            ).tuples()
        )


def published(app: Any, plugin_id: str, version: str) -> int:
    """Upload and publish a version of a 东湖区 plugin as 南昌市 (the county's city leader)."""
    leader = logged_in(app, "nanchang")
    upload_id = upload_id_of(upload(leader, plugin_text(plugin_id, version, DONGHU)))
    assert leader.post(f"/checklists/publish/{upload_id}").status_code == 302
    return upload_id


def offered_version(app: Any, client: Any, plugin_id: str) -> str | None:
    """The version of the plugin the 现场检查表 offers for a 东湖区 dust enterprise, if any."""
    fill_url = f"/checklists/fill/{dust_enterprise(app, DONGHU).id}"
    if f'data-plugin="{plugin_id}"' not in client.get(fill_url).get_data(as_text=True):
        return None
    return form_data(client.get(f"{fill_url}?plugin={plugin_id}").get_data(as_text=True))["version"]


def test_another_county_cannot_publish_a_version_of_donghus_id(app):
    plugin_id = f"bureau.360102.own{uuid.uuid4().hex[:8]}"
    published(app, plugin_id, "1.0.0")
    jinjiang_leader = user_of(app, "leader_jinjiang", "leader", JINJIANG)
    inspector = logged_in(app, "donghu")

    # A higher version issued by 锦江区 would have replaced 东湖区's checklist: refused, not kept.
    for version in ("2.0.0", "1.0.0"):
        response = upload(jinjiang_leader, plugin_text(plugin_id, version, JINJIANG))
        assert refusal(response) == [
            ("/id", ID_TAKEN + "（建议以“bureau.本单位行政区划代码.”开头）")
        ]
        page = response.get_data(as_text=True)
        assert "1.0.0" not in page and "已存在" not in page and "东湖" not in page
    assert uploads_of(app, plugin_id) == [("1.0.0", "active", DONGHU)]
    assert offered_version(app, inspector, plugin_id) == "1.0.0"

    # A foreign draft kept from before ids had owners: nobody can publish it, not even an admin.
    with app.app_context():
        session = app.appbuilder.session
        text = plugin_text(plugin_id, "3.0.0", JINJIANG)
        session.add(
            ChecklistUpload(
                plugin_id=plugin_id,
                version="3.0.0",
                title="接管",
                status="draft",
                scope_region=JINJIANG,
                declaration=json.loads(text),
                file_sha256=hashlib.sha256(text.encode()).hexdigest(),
                uploaded_by="legacy",
            )
        )
        session.commit()
        legacy_id = session.scalar(
            select(ChecklistUpload.id).where(
                ChecklistUpload.plugin_id == plugin_id, ChecklistUpload.version == "3.0.0"
            )
        )
    admin = logged_in(app, "admin")
    assert 'id="publish-upload"' not in admin.get(f"/checklists/preview/{legacy_id}").get_data(
        as_text=True
    )
    page = admin.post(f"/checklists/publish/{legacy_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "无法发布：" + ID_TAKEN in page
    assert uploads_of(app, plugin_id)[-1] == ("3.0.0", "draft", JINJIANG)
    assert offered_version(app, inspector, plugin_id) == "1.0.0"


def test_a_foreign_id_and_a_never_used_one_are_refused_alike(app):
    taken = f"bureau.360102.own{uuid.uuid4().hex[:8]}"
    published(app, taken, "1.0.0")
    claimed = f"shared.c{uuid.uuid4().hex[:8]}"  # no region in its name: 东湖区 claims it first
    published(app, claimed, "1.0.0")
    never_used = f"bureau.360102.new{uuid.uuid4().hex[:8]}"  # 东湖区's name, not uploaded yet
    jinjiang_leader = user_of(app, "leader_jinjiang", "leader", JINJIANG)

    answers = [
        refusal(upload(jinjiang_leader, plugin_text(plugin_id, version, JINJIANG)))
        for plugin_id, version in ((taken, "1.0.0"), (taken, "9.0.0"), (claimed, "1.0.1"))
    ]
    answers.append(refusal(upload(jinjiang_leader, plugin_text(never_used, "1.0.0", JINJIANG))))
    assert all(answer == answers[0] for answer in answers), answers
    assert [pointer for pointer, _ in answers[0]] == ["/id"]
    assert uploads_of(app, never_used) == []

    # Positive control: the owner's side publishes a new version, and 东湖区 gets it.
    published(app, taken, "1.1.0")
    assert offered_version(app, logged_in(app, "donghu"), taken) == "1.1.0"
    # An id nobody owns is free: 锦江区 claims one of its own.
    own = f"shared.j{uuid.uuid4().hex[:8]}"
    upload_id_of(upload(jinjiang_leader, plugin_text(own, "1.0.0", JINJIANG)))
    assert uploads_of(app, own) == [("1.0.0", "draft", JINJIANG)]


def test_a_bureau_cannot_upload_a_builtin_id(app):
    leader = logged_in(app, "nanchang")
    admin = logged_in(app, "admin")
    for plugin_id in BUILTIN_ITEMS:
        text = plugin_text(plugin_id, "9.0.0", DONGHU)
        assert [p for p, _ in refusal(upload(leader, text))] == ["/id"]
        assert refusal(upload(leader, text))[0][1].startswith(ID_TAKEN), plugin_id
        # The admin sees every plugin anyway: told why.
        assert refusal(upload(admin, text)) == [
            ("/id", "该编号属于内置、目录或扩展包插件，不能通过上传覆盖")
        ]
        assert uploads_of(app, plugin_id) == []


def test_the_city_of_an_owner_county_must_keep_issuing_for_it(app):
    """Inside the jurisdiction nothing is hidden: a wrong issuer is named, the version too."""
    plugin_id = f"bureau.360102.own{uuid.uuid4().hex[:8]}"
    published(app, plugin_id, "1.0.0")
    declaration = json.loads(plugin_text(plugin_id, "1.1.0", DONGHU))
    declaration["issuer"] = {"level": "city", "region": "360100", "name": "南昌市应急管理局"}
    errors = refusal(upload(logged_in(app, "nanchang"), json.dumps(declaration)))
    assert [pointer for pointer, _ in errors] == ["/issuer/region"]
    assert "360102" in errors[0][1]
    again = refusal(upload(logged_in(app, "nanchang"), plugin_text(plugin_id, "1.0.0", DONGHU)))
    assert again == [("/version", "版本 1.0.0 已存在：修改后请提升版本号")]


def test_identical_evidence_from_two_regions_is_readable_in_both_and_in_no_third(app):
    data = png_bytes(uuid.uuid4().int % (1 << 24))
    sha = hashlib.sha256(data).hexdigest()
    with app.app_context():
        jinjiang_enterprise = enterprise_in(app.appbuilder.session, JINJIANG).id
    uploads = {
        "donghu": dust_enterprise(app, DONGHU).id,
        "jinjiang": jinjiang_enterprise,
    }
    clients = {username: logged_in(app, username) for username in uploads}
    for username, enterprise_id in uploads.items():
        response = post_evidence(
            clients[username], enterprise_id, data, "同一照片.png", "image/png"
        )
        assert response.status_code == 201, response.get_data(as_text=True)
    for client in clients.values():
        served = client.get(f"/checklists/evidence/{sha}")
        assert served.status_code == 200 and served.data == data
    third = user_of(app, "inspector_guiyang", "inspector", "5201%")
    assert third.get(f"/checklists/evidence/{sha}").status_code == 404
    assert evidence_regions(app, sha) == [DONGHU, JINJIANG]
    folder = Path(app.config["DATA_DIR"]) / "evidence" / sha[:2]
    assert [p.name for p in folder.iterdir() if p.name.startswith(sha[:12])] == [sha]
