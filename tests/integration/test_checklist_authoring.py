"""检查事项编辑器 API (/api/v1/checklist_draft/): drafts saved as they go, the loader's errors, the
optimistic version, region scoping, the diff, publishing through the upload path, and approval."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import select

from enforcement.checklists.loader import validate_text
from enforcement.models import AuditLog, ChecklistUpload
from enforcement.services.checklists import platform_of
from support.demo import db, enterprise_in
from support.factories import account_of
from support.plugins import builtin, example
from support.web import logged_in

API = "/api/v1/checklist_draft/"


def leader_in(app: Any, username: str, region_code: str) -> Any:
    """A logged-in leader of the demo department of exactly `region_code` (created once)."""
    account_of(app, username, region_code)
    return logged_in(app, username)


def create(client: Any, declaration: dict[str, Any]) -> dict[str, Any]:
    response = client.post(API, json={"declaration": declaration})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def renamed(declaration: dict[str, Any], plugin_id: str) -> dict[str, Any]:
    """The declaration under another plugin id (its items' ids follow)."""
    out = copy.deepcopy(declaration)
    old = out["id"]
    out["id"] = plugin_id
    for item in out["items"]:
        item["id"] = plugin_id + item["id"][len(old) :]
    return out


def test_an_invalid_declaration_is_kept_with_the_errors_the_validator_lists(app: Any) -> None:
    client = logged_in(app, "nanchang")
    broken = example()
    del broken["items"][0]["method"]
    broken["items"][1]["severity"] = "critical"
    draft = create(client, broken)
    expected = [e.as_dict() for e in validate_text(json.dumps(broken), "plugin.json", None)[1]]
    assert draft["errors"] == expected and len(expected) == 2
    assert client.get(f"{API}{draft['id']}/errors").json["errors"] == expected
    assert client.get(f"{API}{draft['id']}").json["declaration"] == broken


def test_a_stale_version_is_refused_with_409_and_the_draft_kept(app: Any) -> None:
    client = logged_in(app, "nanchang")
    draft = create(client, renamed(example(), "bureau.360102.stale_check"))
    changed = copy.deepcopy(draft["declaration"])
    changed["title"] = "第一次修改"
    first = client.put(f"{API}{draft['id']}", json={"declaration": changed, "version": 1})
    assert first.status_code == 200 and first.json["version"] == 2
    changed["title"] = "过时的修改"
    stale = client.put(f"{API}{draft['id']}", json={"declaration": changed, "version": 1})
    assert stale.status_code == 409
    assert stale.json["errors"][0]["path"] == "/version"
    assert client.get(f"{API}{draft['id']}").json["title"] == "第一次修改"


def test_another_regions_draft_does_not_exist_and_inspectors_do_not_build(app: Any) -> None:
    draft = create(logged_in(app, "nanchang"), renamed(example(), "bureau.360102.private"))
    chengdu = leader_in(app, "jinjiang_leader", "510104")
    assert chengdu.get(f"{API}{draft['id']}").status_code == 404
    assert chengdu.post(f"{API}{draft['id']}/publish").status_code == 404
    assert draft["id"] not in [d["id"] for d in chengdu.get(API).json["result"]]
    assert draft["id"] in [d["id"] for d in logged_in(app, "nanchang").get(API).json["result"]]
    inspector = logged_in(app, "donghu")
    assert inspector.get(API).status_code in (401, 403)
    assert inspector.post(API, json={"declaration": example()}).status_code in (401, 403)


def test_building_the_example_publishes_a_file_equal_to_it(app: Any) -> None:
    client = logged_in(app, "nanchang")
    draft = create(client, example())
    assert draft["errors"] == [] and draft["needs_publishing"] is True
    exported = client.get(f"{API}{draft['id']}/plugin.json")
    assert exported.status_code == 200
    assert json.loads(exported.get_data(as_text=True)) == example()
    published = client.post(f"{API}{draft['id']}/publish")
    assert published.status_code == 200, published.get_data(as_text=True)
    assert (published.json["plugin_id"], published.json["version"]) == (
        "bureau.360102.dust_extra",
        "1.0.0",
    )
    # the same path as an uploaded file: an active upload, the form offered at once
    with app.app_context():
        entry = platform_of(app).registry.get("bureau.360102.dust_extra")
        assert entry is not None and entry.declaration == example()
    assert client.get(f"{API}{draft['id']}").json["needs_publishing"] is False
    again = client.post(f"{API}{draft['id']}/publish")
    assert again.status_code == 422 and "无需发布" in again.json["errors"][0]["message"]
    # a changed content gets the next version number, without the builder touching it
    changed = example()
    changed["items"][1]["title"] = "粉尘清理制度与清扫记录（修订）"
    client.put(f"{API}{draft['id']}", json={"declaration": changed, "version": 1})
    second = client.post(f"{API}{draft['id']}/publish")
    assert second.status_code == 200 and second.json["version"] == "1.1.0"


def test_the_diff_names_added_removed_changed_items_and_breaking_changes(app: Any) -> None:
    client = logged_in(app, "nanchang")
    base = renamed(example(), "bureau.360102.diffed")
    first = create(client, base)
    assert client.post(f"{API}{first['id']}/publish").status_code == 200
    changed = copy.deepcopy(base)
    explosion, cleaning = changed["items"]
    explosion["content"] = "干式除尘系统未采用控爆措施。"
    explosion["answer"]["enum"] = ["compliant", "non_compliant"]  # 不适用 removed
    cleaning["answer"] = {"type": "string", "enum": ["compliant", "non_compliant"]}
    cleaning["follow_ups"][0]["when"]["schema"] = {"const": "compliant"}
    cleaning["evidence"][0]["when"]["schema"] = {"const": "compliant"}
    cleaning["evidence"][1]["when"]["schema"] = {"const": "non_compliant"}
    added = copy.deepcopy(cleaning)
    added["id"] = "bureau.360102.diffed.new_item"
    added["title"] = "新增事项"
    changed["items"] = [cleaning, explosion, added]
    draft = create(client, changed)
    diff = client.get(f"{API}{draft['id']}/diff").json
    assert [a["id"] for a in diff["added"]] == ["bureau.360102.diffed.new_item"]
    assert diff["removed"] == []
    by_id = {c["id"]: c for c in diff["changed"]}
    content = next(
        f
        for f in by_id["bureau.360102.diffed.explosion_control"]["fields"]
        if f["path"] == "/content"
    )
    assert content["before"] == base["items"][0]["content"]
    assert content["after"] == "干式除尘系统未采用控爆措施。"
    kinds = {(b["item_id"].rsplit(".", 1)[1], b["kind"]) for b in diff["breaking"]}
    assert kinds == {("explosion_control", "choice_removed"), ("cleaning_record", "answer_type")}
    assert {m["id"].rsplit(".", 1)[1] for m in diff["moved"]} == {
        "cleaning_record",
        "explosion_control",
    }
    assert diff["needs_publishing"] is True


def test_a_county_cannot_publish_outside_its_region(app: Any) -> None:
    donghu = leader_in(app, "donghu_leader", "360102")
    outside = renamed(example(), "bureau.360102.elsewhere")
    outside["issuer"] = {"level": "county", "region": "360103", "name": "南昌市西湖区应急管理局"}
    draft = create(donghu, outside)
    response = donghu.post(f"{API}{draft['id']}/publish")
    assert response.status_code == 403
    assert response.json["errors"][0]["path"] == "/issuer/region"
    with db(app) as session:
        assert (
            session.scalar(
                select(ChecklistUpload.id).where(
                    ChecklistUpload.plugin_id == "bureau.360102.elsewhere"
                )
            )
            is None
        )


def test_a_province_that_requires_approval_approves_with_four_eyes_and_the_audit_keeps_the_diff(
    app: Any,
) -> None:
    province = logged_in(app, "jiangxi")
    assert province.get(f"{API}approval").json == {"region": "360000", "required": False}
    turned = province.put(f"{API}approval", json={"required": True})
    assert turned.status_code == 200 and turned.json["required"] is True
    county = leader_in(app, "donghu_leader", "360102")
    assert county.put(f"{API}approval", json={"required": False}).status_code == 403
    draft = create(county, renamed(example(), "bureau.360102.reviewed"))
    waiting = county.post(f"{API}{draft['id']}/publish")
    assert waiting.status_code == 202 and waiting.json["message"] == "待审核"
    assert county.get(f"{API}{draft['id']}").json["status_label"] == "待审核"
    assert county.post(f"{API}{draft['id']}/approve").status_code == 403  # not the province
    returned = province.post(f"{API}{draft['id']}/return", json={"reason": "请补充检查方法"})
    assert returned.status_code == 200
    assert county.get(f"{API}{draft['id']}").json["review_reason"] == "请补充检查方法"
    assert county.post(f"{API}{draft['id']}/publish").status_code == 202
    approved = province.post(f"{API}{draft['id']}/approve")
    assert approved.status_code == 200 and approved.json["version"] == "1.0.0"
    with db(app) as session:
        logged = session.scalars(
            select(AuditLog).where(
                AuditLog.entity == "checklist_draft", AuditLog.entity_id == str(draft["id"])
            )
        ).all()
        assert any(
            (row.new_values or {}).get("review_diff") and row.username == "jiangxi"
            for row in logged
        )
    # a province's own draft: the author cannot approve it (and need not: it publishes directly)
    own = create(province, renamed(example(), "bureau.360102.by_province"))
    assert province.post(f"{API}{own['id']}/publish").status_code == 200
    province.put(f"{API}approval", json={"required": False})


def test_every_builtin_plugin_round_trips_through_a_draft_unchanged(app: Any) -> None:
    client = logged_in(app, "admin")
    for plugin_id in ("steel", "aluminum", "dust", "confined_space", "duty7"):
        declaration = builtin(plugin_id)
        draft = create(client, declaration)
        assert draft["errors"] == []
        exported = client.get(f"{API}{draft['id']}/plugin.json").get_data(as_text=True)
        assert json.loads(exported) == declaration
        assert client.get(f"{API}{draft['id']}/diff").json["same"] is True


def test_a_dry_run_shows_the_servers_errors_and_the_proposed_measures(app: Any) -> None:
    client = logged_in(app, "nanchang")
    draft = create(client, renamed(example(), "bureau.360102.tried"))
    with db(app) as session:
        enterprise_id = enterprise_in(session, "360102").id
    url = f"{API}{draft['id']}/dry_run"
    empty = client.post(url, json={"enterprise_id": enterprise_id, "answers": {}})
    assert empty.status_code == 200 and empty.json["errors"]
    answers = {
        "bureau.360102.tried.explosion_control": [],
        "bureau.360102.tried.cleaning_record": {
            "answer": False,
            "evidence": {"photo": ["a" * 64]},
        },
    }
    tried = client.post(url, json={"enterprise_id": enterprise_id, "answers": answers})
    assert tried.status_code == 200 and tried.json["errors"] == []
    assert [s["item_id"] for s in tried.json["suggestions"]] == [
        "bureau.360102.tried.cleaning_record"
    ]


def test_the_builder_pages_are_for_leaders_and_the_preview_is_the_inspectors_form(
    app: Any,
) -> None:
    client = logged_in(app, "nanchang")
    assert client.get("/checklists/builder/").status_code == 200
    created = client.post("/checklists/builder/new")
    assert created.status_code == 302
    draft_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/checklists/builder/{draft_id}")
    assert page.status_code == 200 and 'id="builder-data"' in page.get_data(as_text=True)
    invalid = client.get(f"/checklists/builder/{draft_id}/preview")
    assert invalid.status_code == 200 and "preview-invalid" in invalid.get_data(as_text=True)
    assert invalid.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/checklists/builder/").headers["X-Frame-Options"] == "DENY"
    good = create(client, renamed(example(), "bureau.360102.previewed"))
    preview = client.get(f"/checklists/builder/{good['id']}/preview").get_data(as_text=True)
    assert 'id="checklist-data"' in preview and "checklist-form.js" in preview
    assert client.get("/checklists/builder/sortable.js").status_code == 200
    assert client.post(f"{API}{good['id']}/publish").status_code == 200
    index = client.get("/checklists/builder/").get_data(as_text=True)
    row = index[index.index('data-plugin="bureau.360102.previewed"') :]
    row = row[: row.index("</tr>")]
    assert "南昌市东湖区应急管理局" in row and "1.0.0：0 次" in row
    inspector = logged_in(app, "donghu")
    assert inspector.get("/checklists/builder/").status_code in (302, 403)
    assert inspector.get(f"/checklists/builder/{draft_id}").status_code in (302, 403)


def test_a_province_sets_its_approval_on_the_page_and_reviews_a_pending_draft_there(
    app: Any,
) -> None:
    province = logged_in(app, "jiangxi")
    index = province.get("/checklists/builder/").get_data(as_text=True)
    assert 'id="builder-approval"' in index
    assert province.post("/checklists/builder/approval", data={"required": "1"}).status_code == 302
    assert province.get(f"{API}approval").json["required"] is True
    county = leader_in(app, "donghu_leader", "360102")
    assert 'id="builder-approval"' not in county.get("/checklists/builder/").get_data(as_text=True)
    draft = create(county, renamed(example(), "bureau.360102.page_review"))
    assert county.post(f"{API}{draft['id']}/publish").status_code == 202
    page = f"/checklists/builder/{draft['id']}"
    assert 'id="builder-review"' in province.get(page).get_data(as_text=True)
    assert 'id="builder-review"' not in county.get(page).get_data(as_text=True)
    assert province.post("/checklists/builder/approval", data={}).status_code == 302
    assert province.get(f"{API}approval").json["required"] is False
