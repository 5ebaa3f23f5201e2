"""Every create/update/delete of base data is logged with user, time, old and new values."""

from __future__ import annotations

from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import AuditLog, Enterprise
from support.factories import new_uscc
from support.web import api_token


def _entries(app, entity_id: int) -> list[AuditLog]:
    with app.app_context():
        session = app.appbuilder.session
        session.expire_all()
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.entity == "enterprise", AuditLog.entity_id == str(entity_id))
                .order_by(AuditLog.id)
            )
        )


def test_create_update_and_delete_are_audited_with_old_and_new_values(app, client):
    headers = api_token(client, "nanchang")
    created = client.post(
        "/api/v1/enterprise/",
        json={
            "name": "审计测试机械有限公司",
            "uscc": new_uscc("360102"),
            "region_code": "360102",
            "sector": "machinery",
            "address": "东湖区审计路1号",
            "tags": ["dust"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    pk = created.json["id"]
    assert (
        client.put(
            f"/api/v1/enterprise/{pk}", json={"name": "审计测试机械股份有限公司"}, headers=headers
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/enterprise/{pk}", headers=headers).status_code == 200

    create, update, delete = _entries(app, pk)
    assert (create.action, create.username) == ("create", "nanchang")
    assert create.new_values["name"] == "审计测试机械有限公司"
    assert create.new_values["tags"] == ["dust"]
    assert update.old_values == {"name": "审计测试机械有限公司"}
    assert update.new_values == {"name": "审计测试机械股份有限公司"}
    assert delete.action == "delete" and delete.new_values["deleted_at"]
    assert create.at is not None and create.remote_addr


def test_deleted_enterprise_is_kept_not_erased(app, client):
    headers = api_token(client, "nanchang")
    created = client.post(
        "/api/v1/enterprise/",
        json={
            "name": "软删除测试有限公司",
            "uscc": new_uscc("360102"),
            "region_code": "360102",
            "sector": "textile",
            "address": "东湖区某路2号",
        },
        headers=headers,
    )
    pk = created.json["id"]
    client.delete(f"/api/v1/enterprise/{pk}", headers=headers)
    assert client.get(f"/api/v1/enterprise/{pk}", headers=headers).status_code == 404
    with app.app_context():
        row = app.appbuilder.session.scalar(
            select(Enterprise).where(Enterprise.id == pk).execution_options(**{UNSCOPED: True})
        )
        assert row is not None and row.deleted_by == "nanchang"


def test_tag_changes_are_audited_on_the_enterprise(app, client):
    headers = api_token(client, "donghu")
    pk = client.post(
        "/api/v1/enterprise/",
        json={
            "name": "标签审计有限公司",
            "uscc": new_uscc("360102"),
            "region_code": "360102",
            "sector": "light_industry",
            "address": "东湖区某路3号",
            "tags": ["dust"],
        },
        headers=headers,
    ).json["id"]
    client.put(f"/api/v1/enterprise/{pk}", json={"tags": ["dust", "ammonia"]}, headers=headers)
    update = _entries(app, pk)[-1]
    assert update.old_values["tags"] == ["dust"]
    assert sorted(update.new_values["tags"]) == ["ammonia", "dust"]


def test_admin_reads_the_audit_log_and_an_inspector_cannot(as_user, client):
    admin = as_user("admin")
    assert admin.get("/audit/list/").status_code == 200
    client.get("/logout/")
    inspector = as_user("donghu")
    response = inspector.get("/audit/list/")
    assert response.status_code in (302, 403)
