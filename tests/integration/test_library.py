"""执法资源库: the national catalogue, Chinese search, jurisdiction, uploads, versions, the API."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from sqlalchemy import select

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import unit_of_work
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import LibraryEntry
from enforcement.services import library as service
from support.web import api_token, logged_in

JIANGXI, NANCHANG, DONGHU, XIHU, SICHUAN = "360000", "360100", "360102", "360103", "510000"


def actor(region: str | None, name: str = "tester") -> Actor:
    return Actor(username=name, jurisdiction=Jurisdiction(region))


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n%" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def local_entries(app):
    """One entry added by each of Jiangxi (province), Nanchang (city), Donghu and Xihu (counties
    of Nanchang) and Sichuan: {region: entry id}."""
    ids = {}
    with app.app_context():
        session = app.appbuilder.session
        for region in (JIANGXI, NANCHANG, DONGHU, XIHU, SICHUAN):
            with acting_as(actor(region)):
                entry = service.save_entry(
                    session,
                    {
                        "collection": "documents",
                        "title": f"粉尘涉爆企业检查指引（{region}）",
                        "issuer": f"应急管理部门{region}",
                        "summary": "本地添加的粉尘防爆检查要点",
                        "key_item_sets": ["dust"],
                    },
                )
                ids[region] = entry.id
        session.remove()
    return ids


def visible_ids(app, region: str | None, q: str = "粉尘") -> set[int]:
    with app.app_context(), acting_as(actor(region)):
        page = service.search(app.appbuilder.session, service.Filters(q=q), size=100)
        app.appbuilder.session.remove()
    return {hit.entry.id for hit in page.hits}


def test_the_national_catalogue_is_seeded_with_sources_and_no_invented_full_text(app):
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        seeded = list(
            session.scalars(select(LibraryEntry).where(LibraryEntry.seed_key.is_not(None)))
        )
        by_key = {e.seed_key: e for e in seeded}
        assert len(seeded) >= 30
        assert {e.collection for e in seeded} >= {"laws", "rules", "standards", "documents"}
        assert all(e.source and e.confidence in ("high", "medium", "low") for e in seeded)
        assert all(e.region_code is None and not e.has_full_text for e in seeded)
        assert all("目录条目" in (e.summary or "") for e in seeded)
        assert by_key["std-gb15577"].number == "GB 15577-2018"
        assert by_key["rule-mem-13"].supersedes_id == by_key["rule-saws-59"].id
        assert by_key["rule-saws-59"].status == "repealed"
        assert by_key["law-safety-2014"].status == "revised"


@pytest.mark.parametrize("query", ["粉尘", "煤气", "有限空间", "GB 15577", "GB15577"])
def test_a_chinese_query_of_two_characters_or_more_finds_titles(app, query):
    with app.app_context(), acting_as(actor(None)):
        page = service.search(app.appbuilder.session, service.Filters(q=query))
        assert page.count >= 1
        top = page.hits[0].entry
        assert (
            query.replace(" ", "").lower()
            in (top.title + (top.number or "")).replace(" ", "").lower()
        )
        assert "<mark>" in page.hits[0].snippet or query in top.title


# The top results of the national catalogue, the same on SQLite (FTS5, bm25) and PostgreSQL
# (tsvector, ts_rank_cd): titles holding the query first, a text in force before the one it
# replaced, the title nearest the query first; a total order.
TOP_RESULTS = {
    "粉尘": ["std-gb15577", "rule-mem-6", "std-aq4272"],
    "煤气": ["std-gb6222"],
    "有限空间": ["rule-mem-13", "rule-saws-69", "rule-saws-59"],
    "安全生产法": ["law-safety-2021", "law-safety-2014"],
    "行政处罚": ["law-penalty-2021", "doc-discretion-2024", "rule-mem-18"],
    "重大事故隐患": ["rule-mem-10", "doc-2017-129"],
    "GB 15577": ["std-gb15577"],
}


@pytest.mark.parametrize("query", list(TOP_RESULTS))
def test_the_top_results_are_the_same_on_every_engine(app, query):
    with app.app_context(), acting_as(actor(None)):
        hits = service.search(
            app.appbuilder.session, service.Filters(q=query, scope="national"), size=3
        ).hits
        assert [h.entry.seed_key for h in hits] == TOP_RESULTS[query]
        app.appbuilder.session.remove()


def test_a_title_hit_outranks_a_summary_hit_and_the_order_is_total(app):
    with app.app_context(), acting_as(actor(None)):
        hits = service.search(app.appbuilder.session, service.Filters(q="粉尘防爆"), size=50).hits
        titles = [h.entry.title for h in hits]
        assert titles[0] in ("工贸企业粉尘防爆安全规定", "粉尘防爆安全规程")
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["粉尘", "安全生产"])
def test_pages_of_a_ranked_search_follow_one_order_without_gaps(app, query):
    """On PostgreSQL a page ranks only the hits whose common key reaches the page's last one: small
    pages read one by one give what one large page gives, in the same order."""
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        whole = service.search(session, service.Filters(q=query), size=100)
        assert 4 <= whole.count <= 100
        paged = [
            hit.entry.id
            for page in range(whole.count // 2 + 1)
            for hit in service.search(session, service.Filters(q=query), page=page, size=2).hits
        ]
        assert paged == [hit.entry.id for hit in whole.hits]
        app.appbuilder.session.remove()


def test_a_one_character_query_is_a_prefix_search_and_punctuation_alone_finds_nothing(app):
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        single = service.search(session, service.Filters(q="尘"), size=100)
        assert single.count >= 2 and single.count == service.like_scan(session, "尘").count
        assert all("<mark>尘</mark>" in hit.snippet for hit in single.hits)
        assert service.search(session, service.Filters(q="《》，")).count == 0


@pytest.mark.parametrize(
    "query", ["粉尘", "煤气", "有限空间", "除尘系统", "尘除", "行政处罚", "冶金"]
)
def test_the_index_finds_every_entry_a_text_scan_finds(app, query):
    """Character pairs beside jieba's words: a query finds what LIKE finds, even a pair that
    straddles two words (尘除 in 粉尘除尘)."""
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        found = service.search(session, service.Filters(q=query), size=100)
        assert found.count == service.like_scan(session, query, size=100).count
        app.appbuilder.session.remove()


def test_a_query_in_most_of_the_library_ranks_titles_first_without_relevance(app):
    """目录条目 is in every seeded summary: bm25 would give it no weight, so the order is the
    engines' common part alone (title, in force, status, date, id) and the count is still exact."""
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        found = service.search(session, service.Filters(q="目录条目", scope="national"), size=5)
        assert found.count == service.like_scan(session, "目录条目").count >= 30
        assert [h.entry.status for h in found.hits[:3]] == ["current"] * 3
        app.appbuilder.session.remove()


def test_a_hit_anywhere_in_the_text_is_ranked_on_title_number_issuer_and_opening(app):
    """Both engines find a query anywhere in the text but rank on the title, number, issuer and the
    opening of the text (text.RANK_TOKENS tokens): a text that names the subject at its start
    outranks one that repeats it only further down, on SQLite and PostgreSQL alike."""
    filler = "本条规定适用于一般作业场所的日常检查和记录保存。" * 12  # well over RANK_TOKENS
    with app.app_context(), acting_as(actor(JIANGXI)):
        session = app.appbuilder.session
        later = service.save_entry(
            session,
            {"collection": "cases", "title": "车间案例甲", "body": filler + "氯乙烯储罐。" * 5},
        )
        first = service.save_entry(
            session,
            {"collection": "cases", "title": "车间案例乙", "body": "氯乙烯储罐泄漏处置。" + filler},
        )
        session.commit()
        hits = service.search(session, service.Filters(q="氯乙烯储罐")).hits
        assert [h.entry.id for h in hits] == [first.id, later.id]
        session.remove()


def test_a_page_past_the_last_is_empty_and_still_counts_every_hit(app):
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        whole = service.search(session, service.Filters(q="粉尘"), size=100)
        past = service.search(session, service.Filters(q="粉尘"), page=50, size=2)
        assert past.hits == [] and past.count == whole.count > 0
        session.remove()


def test_the_index_changes_with_the_entry_in_its_transaction(app):
    with app.app_context(), acting_as(actor(JIANGXI)):
        session = app.appbuilder.session
        entry = service.save_entry(
            session, {"collection": "cases", "title": "氨制冷车间典型案例", "summary": "液氨泄漏"}
        )
        session.commit()

        def ids(q):
            return [h.entry.id for h in service.search(session, service.Filters(q=q)).hits]

        assert entry.id in ids("氨制冷") and entry.id in ids("液氨泄漏")
        service.save_entry(
            session, {"collection": "cases", "title": "涂装车间典型案例", "summary": ""}, entry
        )
        session.commit()
        assert entry.id not in ids("氨制冷") and entry.id in ids("涂装车间")
        # A change that fails after the index was written leaves both as they were.
        with pytest.raises(RuntimeError), unit_of_work(session):
            entry.title = "喷漆房典型案例"
            service.index_entry(session, entry)
            raise RuntimeError
        session.rollback()
        assert entry.id not in ids("喷漆房") and entry.id in ids("涂装车间")
        session.remove()


def test_filters_narrow_by_collection_status_set_and_date(app):
    import datetime as dt

    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        standards = service.search(session, service.Filters(collection="standards"), size=100)
        assert standards.count and all(h.entry.collection == "standards" for h in standards.hits)
        repealed = service.search(session, service.Filters(status="repealed"), size=100)
        assert {h.entry.seed_key for h in repealed.hits} >= {"rule-saws-59", "rule-saws-15"}
        confined = service.search(session, service.Filters(key_item_set="confined_space"), size=100)
        assert "rule-mem-13" in {h.entry.seed_key for h in confined.hits}
        assert "std-gb6222" not in {h.entry.seed_key for h in confined.hits}
        recent = service.search(
            session, service.Filters(effective_from=dt.date(2024, 1, 1)), size=100
        )
        assert recent.count and all(
            h.entry.effective_on >= dt.date(2024, 1, 1) for h in recent.hits
        )


def test_filters_narrow_a_search_by_issuer_type_status_set_and_date(app):
    import datetime as dt

    def keys(**narrowing):
        with app.app_context(), acting_as(actor(None)):
            found = service.search(
                app.appbuilder.session, service.Filters(q="粉尘", **narrowing), size=100
            )
            app.appbuilder.session.remove()
            return {h.entry.seed_key for h in found.hits}

    everything = keys()
    assert {"rule-mem-6", "std-gb15577", "std-aq4272"} <= everything
    assert "rule-mem-6" in keys(issuer="应急管理部") and "std-gb15577" not in keys(
        issuer="应急管理部"
    )
    assert keys(collection="standards") >= {"std-gb15577", "std-aq4272"}
    assert "rule-mem-6" not in keys(collection="standards")
    assert "std-gb15577" in keys(key_item_set="aluminum")
    assert "rule-mem-6" not in keys(key_item_set="aluminum")
    assert "rule-mem-6" in keys(
        effective_from=dt.date(2021, 1, 1), effective_to=dt.date(2021, 12, 31)
    )
    assert not keys(status="repealed") & {"rule-mem-6", "std-gb15577"}
    page = logged_in(app, "donghu").get(
        "/library/?q=粉尘&collection=rules&issuer=应急管理部&status=current&set=dust"
        "&from=2021-01-01&to=2021-12-31"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "工贸企业粉尘防爆安全规定" in text
    assert "粉尘防爆安全规程" not in text


def test_a_county_sees_national_entries_and_its_province_city_and_own_only(app, local_entries):
    seen = visible_ids(app, DONGHU)
    assert {local_entries[r] for r in (JIANGXI, NANCHANG, DONGHU)} <= seen
    with app.app_context(), acting_as(actor(DONGHU)):
        page = service.search(app.appbuilder.session, service.Filters(q="粉尘"), size=100)
        assert page.count == len(page.hits)  # the count is scoped too
        app.appbuilder.session.remove()
    assert local_entries[XIHU] not in seen  # a sibling county
    assert local_entries[SICHUAN] not in seen  # another province
    assert len(visible_ids(app, DONGHU, "粉尘防爆安全规程")) >= 1  # national entries


def test_a_province_sees_its_subtree_but_not_another_province(app, local_entries):
    seen = visible_ids(app, JIANGXI)
    assert {local_entries[r] for r in (JIANGXI, NANCHANG, DONGHU, XIHU)} <= seen
    assert local_entries[SICHUAN] not in seen
    assert local_entries[SICHUAN] in visible_ids(app, None)


def test_a_county_cannot_change_a_national_or_provincial_entry(app, local_entries):
    from enforcement.db.scoping import OutOfJurisdiction

    with app.app_context(), acting_as(actor(DONGHU)):
        session = app.appbuilder.session
        for entry_id in (local_entries[JIANGXI], 1):
            entry = session.get(LibraryEntry, entry_id)
            assert entry is not None
            with pytest.raises(OutOfJurisdiction):
                service.save_entry(session, {"title": "改", "collection": entry.collection}, entry)
            session.rollback()
        session.remove()


def test_another_provinces_entry_is_404_in_the_api_and_the_page(app, local_entries):
    client = logged_in(app, "donghu")
    headers = api_token(client, "donghu")
    assert (
        client.get(f"/api/v1/library/{local_entries[SICHUAN]}", headers=headers).status_code == 404
    )
    own = client.get(f"/api/v1/library/{local_entries[JIANGXI]}", headers=headers)
    assert own.status_code == 200 and own.json["result"]["region_code"] == JIANGXI
    assert client.get(f"/library/{local_entries[SICHUAN]}").status_code == 404
    assert client.get(f"/library/{local_entries[NANCHANG]}").status_code == 200


def test_the_api_returns_ranked_entries_with_the_hit_marked(app):
    client = logged_in(app, "donghu")
    response = client.get(
        "/api/v1/library/?q=粉尘&collection=standards", headers=api_token(client, "donghu")
    )
    assert response.status_code == 200
    body = response.json
    assert body["count"] == len(body["result"]) >= 1
    first = body["result"][0]
    assert set(first) >= {
        "id",
        "collection",
        "title",
        "issuer",
        "number",
        "status",
        "effective",
        "snippet",
    }
    assert first["collection"] == "standards" and "<mark>粉尘</mark>" in first["snippet"]
    bad = client.get("/api/v1/library/?collection=videos", headers=api_token(client, "donghu"))
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "/collection"


def test_the_search_page_lists_hits_and_every_collection_has_a_page(app):
    client = logged_in(app, "donghu")
    page = client.get("/library/?q=粉尘")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<mark>粉尘</mark>" in text and "粉尘防爆安全规程" in text
    for collection in ("laws", "rules", "standards", "documents", "cases", "learning"):
        assert client.get(f"/library/?collection={collection}").status_code == 200
    templates = client.get("/library/?collection=templates").get_data(as_text=True)
    assert "现场检查记录" in templates and "空白模板 PDF" in templates


def test_an_entry_page_links_versions_and_lists_the_items_that_cite_it(app):
    client = logged_in(app, "donghu")
    with app.app_context(), acting_as(actor(None)):
        session = app.appbuilder.session
        ids = {
            e.seed_key: e.id
            for e in session.scalars(select(LibraryEntry).where(LibraryEntry.seed_key.is_not(None)))
        }
        session.remove()
    old = client.get(f"/library/{ids['rule-saws-59']}").get_data(as_text=True)
    assert f"/library/{ids['rule-mem-13']}" in old and "已废止" in old
    standard = client.get(f"/library/{ids['std-gb15577']}").get_data(as_text=True)
    assert "FC-01" in standard  # the dust checklist's item cites GB 15577
    assert "目录条目（未收录全文）" in standard
    cite = client.get("/library/cite/?law=《粉尘防爆安全规程》(GB 15577-2018)")
    assert cite.status_code == 302 and cite.headers["Location"].endswith(
        f"/library/{ids['std-gb15577']}"
    )
    law = client.get("/library/cite/?law=《中华人民共和国安全生产法》")
    assert law.headers["Location"].endswith(f"/library/{ids['law-safety-2021']}")


def test_a_province_leader_adds_an_entry_and_a_file_the_county_downloads(app, tmp_path):
    leader = logged_in(app, "jiangxi")
    form = leader.get("/library/new/?collection=documents")
    assert form.status_code == 200
    bad = leader.post(
        "/library/new/",
        data={
            "collection": "documents",
            "title": "",
            "effective_on": "2024-13-40",
            "issuer": "江西省应急管理厅",
        },
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写标题" in text and "填写有效日期" in text
    assert 'value="江西省应急管理厅"' in text  # what was typed stays
    made = leader.post(
        "/library/new/",
        data={
            "collection": "documents",
            "title": "江西省煤气作业安全检查要点",
            "issuer": "江西省应急管理厅",
            "key_item_sets": ["steel"],
        },
    )
    assert made.status_code == 302
    entry_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    data = pdf_bytes()
    uploaded = leader.post(
        f"/library/{entry_id}/upload",
        data={"file": (io.BytesIO(data), "检查要点.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    county = logged_in(app, "donghu")
    page = county.get(f"/library/{entry_id}").get_data(as_text=True)
    assert "检查要点.pdf" in page and 'id="library-upload-form"' not in page
    file_id = page.split("/library/file/", 1)[1].split('"', 1)[0]
    download = county.get(f"/library/file/{file_id}")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "application/pdf"
    ranged = county.get(f"/library/file/{file_id}", headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206 and ranged.data == b"%PDF"
    other = logged_in(app, "jinjiang")
    assert other.get(f"/library/file/{file_id}").status_code == 404


def test_a_video_is_served_inline_in_ranges_so_the_player_can_seek(app):
    leader = logged_in(app, "jiangxi")
    made = leader.post(
        "/library/new/", data={"collection": "learning", "title": "粉尘防爆培训视频（测试）"}
    )
    entry_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 16
    uploaded = leader.post(
        f"/library/{entry_id}/upload",
        data={"file": (io.BytesIO(video), "粉尘防爆.mp4")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    county = logged_in(app, "donghu")
    page = county.get(f"/library/{entry_id}").get_data(as_text=True)
    assert "<video controls" in page
    file_id = page.split("/library/file/", 1)[1].split('"', 1)[0]
    whole = county.get(f"/library/file/{file_id}")
    assert whole.status_code == 200 and whole.mimetype == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"].startswith("inline")
    seek = county.get(f"/library/file/{file_id}", headers={"Range": "bytes=1000-1999"})
    assert seek.status_code == 206 and seek.data == video[1000:2000]
    assert seek.headers["Content-Range"] == f"bytes 1000-1999/{len(video)}"
    past = county.get(f"/library/file/{file_id}", headers={"Range": f"bytes={len(video)}-"})
    assert past.status_code == 416


def test_an_oversize_or_disguised_upload_is_refused_with_a_chinese_message(app):
    app.config["LIBRARY_MAX_BYTES"] = 1024
    try:
        leader = logged_in(app, "jiangxi")
        made = leader.post(
            "/library/new/", data={"collection": "learning", "title": "有限空间作业培训课件"}
        )
        entry_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        cases = [
            (b"%PDF-1.4\n" + b"0" * 2048, "大文件.pdf", 413, "文件超过 0.0009765625 MB"),
            (b"MZ\x90\x00" + b"\x00" * 64, "课件.pdf", 422, "文件内容与扩展名 .pdf 不符"),
            (pdf_bytes(), "课件.exe", 422, "文件类型不支持"),
            (pdf_bytes(), "课件.mp4", 422, "文件内容与扩展名 .mp4 不符"),
        ]
        for data, name, status, message in cases:
            response = leader.post(
                f"/library/{entry_id}/upload",
                data={"file": (io.BytesIO(data), name)},
                content_type="multipart/form-data",
            )
            text = response.get_data(as_text=True)
            assert response.status_code == status, name
            assert message.split(" MB")[0][:6] in text, name
            assert 'id="library-upload-error"' in text
        ok = leader.post(
            f"/library/{entry_id}/upload",
            data={"file": (io.BytesIO(docx_bytes()), "讲义.docx")},
            content_type="multipart/form-data",
        )
        assert ok.status_code == 302
        with app.app_context():
            files = app.appbuilder.session.get(
                LibraryEntry, entry_id, execution_options={UNSCOPED: True}
            ).files
            assert [f.filename for f in files] == ["讲义.docx"]
            app.appbuilder.session.remove()
    finally:
        app.config.pop("LIBRARY_MAX_BYTES", None)


def test_an_inspector_may_read_but_not_add(app):
    inspector = logged_in(app, "donghu")
    assert inspector.get("/library/").status_code == 200
    assert inspector.get("/library/new/").status_code in (302, 403)


def test_the_checklist_overview_links_each_cited_title_to_the_library(app):
    client = logged_in(app, "donghu")
    page = client.get("/checklists/").get_data(as_text=True)
    assert 'class="library-cite" href="/library/cite/?law=' in page
    link = page.split('class="library-cite" href="', 1)[1].split('"', 1)[0]
    followed = client.get(link.replace("&amp;", "&"))
    assert followed.status_code == 302 and "/library/" in followed.headers["Location"]


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_province_imports_a_catalogue_and_every_bad_cell_is_reported(app):
    leader = logged_in(app, "jiangxi")
    data = _xlsx(
        [
            ["栏目", "标题", "文号/标准号", "发布机关", "状态", "施行日期", "重点事项类别"],
            [
                "相关文件",
                "江西省工贸企业有限空间作业指引",
                "赣应急〔2024〕1号",
                "江西省应急管理厅",
                "现行有效",
                "2024-03-01",
                "有限空间",
            ],
            ["视频", "", None, None, "作废", "2024-02-30", "矿山"],
        ]
    )
    response = leader.post(
        "/library/import/",
        data={"file": (io.BytesIO(data), "江西目录.xlsx")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="library-import-added">1<' in text
    for message in ("请选择栏目", "请填写标题", "状态应为", "填写有效日期", "重点事项类别不存在"):
        assert message in text, message
    assert text.count("第 3 行") == 5
    assert visible_ids(app, DONGHU, "有限空间作业指引") & visible_ids(
        app, JIANGXI, "有限空间作业指引"
    )
    assert not visible_ids(app, "510104", "有限空间作业指引")
    refused = leader.post(
        "/library/import/",
        data={"file": (io.BytesIO(b"not a workbook"), "目录.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "无法读取该 Excel 文件" in refused.get_data(as_text=True)


def test_a_leader_changes_only_entries_of_their_own_region(app, local_entries):
    province = logged_in(app, "jiangxi")
    path = f"/library/{local_entries[NANCHANG]}/edit"
    form = province.get(path)
    assert form.status_code == 200 and "修改资源库条目" in form.get_data(as_text=True)
    changed = province.post(
        path,
        data={
            "collection": "documents",
            "title": "粉尘涉爆企业检查指引（南昌，已废止）",
            "status": "repealed",
            "key_item_sets": ["dust"],
        },
    )
    assert changed.status_code == 302
    with app.app_context(), acting_as(actor(None)):
        entry = app.appbuilder.session.get(LibraryEntry, local_entries[NANCHANG])
        assert (entry.status, entry.region_code) == ("repealed", NANCHANG)
        assert "已废止" in entry.title
        app.appbuilder.session.remove()
    city = logged_in(app, "nanchang")
    assert city.get(f"/library/{local_entries[JIANGXI]}/edit").status_code == 404  # the province's
    assert city.get("/library/1/edit").status_code == 404  # a national entry
    assert logged_in(app, "donghu").get(path).status_code in (302, 403)  # an inspector


def test_a_request_over_the_servers_limit_gets_the_chinese_message_at_the_field(app):
    leader = logged_in(app, "jiangxi")
    made = leader.post(
        "/library/new/", data={"collection": "learning", "title": "煤气安全培训视频"}
    )
    entry_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    app.config["MAX_CONTENT_LENGTH"], before = 4096, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = leader.post(
            f"/library/{entry_id}/upload",
            data={"file": (io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"0" * 9000), "培训.mp4")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413
    assert 'id="library-upload-error">文件超过' in response.get_data(as_text=True)
