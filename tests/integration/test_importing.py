"""批量导入 on a plain SQLAlchemy session over SQLite: validation, idempotency, jurisdiction."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from flask_appbuilder import Model
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import enforcement.models  # noqa: F401 - registers every table on Model.metadata
from enforcement.db.acting import Actor, acting_as
from enforcement.db.audit import install_audit
from enforcement.db.scoping import UNSCOPED, install_scoping
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.domain.uscc import make_uscc
from enforcement.models import (
    AuditLog,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.services import importing
from enforcement.services.exporting import template_xlsx
from enforcement.services.importing import RowError, import_file, read_table
from support.databases import scratch_engine

ENTERPRISE_HEADER = ["企业名称*", "统一社会信用代码*", "行政区划代码*", "行业类别*", "专项标签"]
ADDRESS = "江西省南昌市东湖区测试路1号"
DONGHU_A = make_uscc("9", "1", "360102", "TA000001")
DONGHU_B = make_uscc("9", "1", "360102", "TB000002")
DONGHU_C = make_uscc("9", "1", "360102", "TC000003")
XIHU = make_uscc("9", "1", "360103", "TX000004")
WRONG_CHECK = DONGHU_A[:17] + ("0" if DONGHU_A[17] != "0" else "1")

REGIONS = [
    ("360000", "江西省", "江西省", "province", None),
    ("360100", "南昌市", "江西省南昌市", "city", "360000"),
    ("360102", "东湖区", "江西省南昌市东湖区", "county", "360100"),
    ("360103", "西湖区", "江西省南昌市西湖区", "county", "360100"),
    ("510000", "四川省", "四川省", "province", None),
    ("510100", "成都市", "四川省成都市", "city", "510000"),
    ("510104", "锦江区", "四川省成都市锦江区", "county", "510100"),
    ("440000", "广东省", "广东省", "province", None),
    ("441900", "东莞市", "广东省东莞市", "city", "440000"),
]
DEPARTMENTS = [
    ("东湖区应急管理局", "360102", "county"),
    ("西湖区应急管理局", "360103", "county"),
    ("成都市应急管理局", "510100", "city"),
    ("成都市应急管理综合行政执法支队", "510100", "city"),
]


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema with the regions and departments above: built once, copied for each test."""
    path = tmp_path_factory.mktemp("import") / "seeded.db"
    engine = scratch_engine(path)
    Model.metadata.create_all(engine)
    with Session(engine) as db:
        for code, name, full_name, level, parent in REGIONS:
            db.add(
                Region(code=code, name=name, full_name=full_name, level=level, parent_code=parent)
            )
        for name, region, level in DEPARTMENTS:
            db.add(Department(name=name, region_code=region, level=level))
        db.commit()
    engine.dispose()
    return path


@pytest.fixture
def session(seeded_database: Path, tmp_path: Path) -> Iterator[Session]:
    """A fresh database for each test (a copy of the seeded one), on a plain session."""
    shutil.copyfile(seeded_database, tmp_path / "import.db")
    engine = scratch_engine(tmp_path / "import.db")
    # The app installs both on the Session class too; both calls are idempotent.
    install_scoping(Session)
    install_audit(Session)
    with Session(engine) as db:
        yield db
    engine.dispose()


@pytest.fixture
def act_as_donghu_inspector() -> Iterator[Callable[[], None]]:
    """Call it (after seeding as the system) to act as an inspector of 东湖区 (360102)."""
    acting = acting_as(Actor(username="donghu", jurisdiction=Jurisdiction("360102")))
    entered: list[bool] = []

    def enter() -> None:
        acting.__enter__()
        entered.append(True)

    yield enter
    if entered:
        acting.__exit__(None, None, None)


def xlsx(rows: list[list[Any]]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return output.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def messages(result: importing.ImportResult) -> list[str]:
    return [str(e) for e in result.errors]


def enterprise(db: Session, uscc: str) -> Enterprise:
    found = db.scalars(
        select(Enterprise).where(Enterprise.uscc == uscc).execution_options(**{UNSCOPED: True})
    ).one()
    return found


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def enterprise_sheet(header: list[str], rows: list[list[Any]]) -> bytes:
    """An enterprise sheet whose every row also has the (required) address, as its last column."""
    width = len(header)
    return xlsx(
        [[*header, "地址*"], *[[*row, *[None] * (width - len(row)), ADDRESS] for row in rows]]
    )


def import_enterprises(db: Session, rows: list[list[Any]], name: str = "企业.xlsx") -> Any:
    return import_file(db, "enterprises", enterprise_sheet(ENTERPRISE_HEADER, rows), name)


# ---------------------------------------------------------------------------------------------
# Reading


def test_row_error_reads_as_row_column_message():
    assert str(RowError(3, "行业类别", "无法识别")) == "row 3: 行业类别: 无法识别"


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers():
    data = xlsx([["企业名称", "从业人数"], ["甲", 12], [None, None], ["乙", 8.0]])
    table = read_table(data, "a.xlsx")
    assert list(table.index) == [2, 4]
    assert table.loc[4].tolist() == ["乙", "8"]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_is_read(session, encoding):
    rows = [
        [*ENTERPRISE_HEADER, "地址"],
        ["东湖机械厂", DONGHU_A, "360102", "机械", "粉尘涉爆", ADDRESS],
    ]
    result = import_file(session, "enterprises", csv_bytes(rows, encoding), "企业.csv")
    assert messages(result) == []
    assert result.created == 1
    assert enterprise(session, DONGHU_A).name == "东湖机械厂"


def test_unknown_file_type_is_refused_in_chinese(session):
    result = import_file(session, "enterprises", b"whatever", "企业.xls")
    assert messages(result) == [
        "row 1: 文件: 不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"
    ]
    with pytest.raises(importing.ImportFileError, match="只支持 .xlsx 或 .csv"):
        read_table(b"{}", "企业.json")


def test_damaged_xlsx_is_refused_in_chinese(session):
    result = import_file(session, "enterprises", b"not a zip file", "企业.xlsx")
    assert [e.column for e in result.errors] == ["文件"]
    assert "无法读取" in result.errors[0].message


def test_headers_match_without_spaces_and_required_mark(session):
    header = [" 企业 名称 ", "统一社会信用代码 *", "行政区划代码", "行业类别＊", "经营地址", "序号"]
    data = xlsx([header, ["东湖机械厂", DONGHU_A, "360102", "machinery", "东湖路1号", 1]])
    result = import_file(session, "enterprises", data, "企业.xlsx")
    assert messages(result) == []
    saved = enterprise(session, DONGHU_A)
    assert (saved.sector, saved.address) == ("machinery", "东湖路1号")


def test_missing_required_header_is_one_error_on_row_1_and_nothing_is_saved(session):
    data = enterprise_sheet(
        ["企业名称", "统一社会信用代码", "行业类别"], [["东湖机械厂", DONGHU_A, "机械"]]
    )
    result = import_file(session, "enterprises", data, "企业.xlsx")
    assert messages(result) == ["row 1: 行政区划代码: 缺少必填列"]
    assert count(session, Enterprise) == 0


def test_more_rows_than_the_limit_saves_nothing(session):
    rows = [
        [f"企业{i}", make_uscc("9", "1", "360102", f"LM{i:06d}"), "360102", "机械"]
        for i in range(6)
    ]
    result = import_enterprises(session, rows)
    assert result.created == 6
    more = [
        [f"新企业{i}", make_uscc("9", "1", "360102", f"NW{i:06d}"), "360102", "机械"]
        for i in range(6)
    ]
    result = import_file(
        session, "enterprises", enterprise_sheet(ENTERPRISE_HEADER, more), "大.xlsx", max_rows=5
    )
    assert len(result.errors) == 1
    assert result.errors[0].row == 1 and "超过单次导入上限5行" in result.errors[0].message
    assert (result.created, result.updated) == (0, 0)
    assert count(session, Enterprise) == 6


# ---------------------------------------------------------------------------------------------
# Enterprises


def test_labels_and_codes_are_stored_as_codes(session):
    header = [*ENTERPRISE_HEADER, "企业规模", "经营状态", "从业人数", "联系电话"]
    rows = [
        [
            "东湖机械厂",
            DONGHU_A,
            "360102",
            "机械",
            "粉尘涉爆；steel,有限空间作业",
            "小型",
            "停产",
            "120",
            "0791-88888888",
        ]
    ]
    result = import_file(session, "enterprises", enterprise_sheet(header, rows), "企业.xlsx")
    assert messages(result) == []
    saved = enterprise(session, DONGHU_A)
    assert saved.sector == "machinery"
    assert sorted(saved.tags) == ["confined_space", "dust", "steel"]
    assert (saved.scale, saved.status, saved.employees) == ("small", "suspended", 120)
    assert saved.contact_phone == "0791-88888888"


def test_new_enterprise_without_status_is_operating(session):
    import_enterprises(session, [["东湖机械厂", DONGHU_A, "360102", "机械", None]])
    assert enterprise(session, DONGHU_A).status == "operating"


def test_broken_row_is_reported_and_valid_rows_are_saved(session):
    rows = [
        ["东湖机械厂", DONGHU_A, "360102", "机械", None],
        ["校验位错误厂", WRONG_CHECK, "360102", "机械", None],
        ["钢材厂", DONGHU_B, "360102", "钢材", None],
        ["东湖轻工厂", DONGHU_C, "360102", "轻工", "涉氨制冷"],
    ]
    result = import_enterprises(session, rows)
    assert messages(result) == [
        "row 3: 统一社会信用代码: 统一社会信用代码校验位错误，请核对最后一位",
        "row 4: 行业类别: 无法识别的行业类别“钢材”，可选：冶金、有色、建材、机械、轻工、纺织、烟草、商贸",
    ]
    assert result.created == 2
    assert sorted(session.scalars(select(Enterprise.name))) == ["东湖机械厂", "东湖轻工厂"]


def test_every_bad_cell_of_a_row_is_reported(session):
    header = [*ENTERPRISE_HEADER, "从业人数", "主要负责人电话"]
    rows = [[None, "123", "3601", "钢材", "钢铁、炼焦", "很多", "电话"]]
    result = import_file(session, "enterprises", enterprise_sheet(header, rows), "企业.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "企业名称"),
        (2, "统一社会信用代码"),
        (2, "行政区划代码"),
        (2, "行业类别"),
        (2, "专项标签"),
        (2, "从业人数"),
        (2, "主要负责人电话"),
    ]
    assert "无法识别的专项标签“炼焦”" in result.errors[4].message
    assert count(session, Enterprise) == 0


def test_region_must_be_an_existing_county_or_a_city_without_counties(session):
    rows = [
        ["不存在区划厂", DONGHU_A, "369999", "机械", None],
        ["地级市厂", DONGHU_B, "360100", "机械", None],
        ["东莞厂", DONGHU_C, "441900", "机械", None],
    ]
    result = import_enterprises(session, rows)
    assert messages(result) == [
        "row 2: 行政区划代码: 行政区划代码“369999”不存在",
        "row 3: 行政区划代码: “360100”（江西省南昌市）不是区县级行政区划，请填写区县代码",
    ]
    assert result.created == 1


def test_reimporting_same_file_creates_no_duplicates(session):
    rows = [
        ["东湖机械厂", DONGHU_A, "360102", "机械", "粉尘涉爆"],
        ["东湖轻工厂", DONGHU_B, "360102", "轻工", None],
    ]
    first = import_enterprises(session, rows)
    second = import_enterprises(session, rows)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert count(session, Enterprise) == 2


def test_same_uscc_twice_in_a_file_points_to_the_first_row(session):
    rows = [
        ["东湖机械厂", DONGHU_A, "360102", "机械", None],
        ["东湖轻工厂", DONGHU_B, "360102", "轻工", None],
        ["东湖机械厂（重复）", DONGHU_A.lower(), "360102", "机械", None],
    ]
    result = import_enterprises(session, rows)
    assert messages(result) == ["row 4: 统一社会信用代码: 与第2行的统一社会信用代码重复"]
    assert enterprise(session, DONGHU_A).name == "东湖机械厂"


def test_empty_optional_cell_keeps_stored_value(session):
    header = [*ENTERPRISE_HEADER, "联系人", "从业人数"]
    full = [["东湖机械厂", DONGHU_A, "360102", "机械", "粉尘涉爆", "李四", 120]]
    import_file(session, "enterprises", enterprise_sheet(header, full), "企业.xlsx")
    sparse = [["东湖机械厂", DONGHU_A, "360102", "机械", None, None, None]]
    result = import_file(session, "enterprises", enterprise_sheet(header, sparse), "企业.xlsx")
    assert result.unchanged == 1
    session.expire_all()
    saved = enterprise(session, DONGHU_A)
    assert (saved.tags, saved.contact_name, saved.employees) == (["dust"], "李四", 120)


def test_filled_cell_updates_stored_value(session):
    import_enterprises(session, [["东湖机械厂", DONGHU_A, "360102", "机械", "粉尘涉爆"]])
    result = import_enterprises(session, [["东湖机械有限公司", DONGHU_A, "360102", "机械", "钢铁"]])
    assert (result.created, result.updated) == (0, 1)
    session.expire_all()
    saved = enterprise(session, DONGHU_A)
    assert (saved.name, saved.tags) == ("东湖机械有限公司", ["steel"])


def test_soft_deleted_enterprise_is_restored_and_updated(session):
    import_enterprises(session, [["东湖机械厂", DONGHU_A, "360102", "机械", None]])
    saved = enterprise(session, DONGHU_A)
    saved.deleted_at, saved.deleted_by = dt.datetime(2025, 1, 1), "someone"
    session.commit()
    result = import_enterprises(session, [["东湖机械有限公司", DONGHU_A, "360102", "机械", None]])
    assert (result.created, result.updated) == (0, 1)
    session.expire_all()
    saved = enterprise(session, DONGHU_A)
    assert (saved.deleted_at, saved.deleted_by, saved.name) == (None, None, "东湖机械有限公司")
    assert count(session, Enterprise) == 1


def test_import_is_audited_with_the_file_name(session):
    import_enterprises(
        session, [["东湖机械厂", DONGHU_A, "360102", "机械", None]], name="东湖.xlsx"
    )
    assert "audit_reason" not in session.info
    logs = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    created = [log for log in logs if log.action == "create" and log.entity == "enterprise"]
    assert [log.reason for log in created] == ["批量导入 东湖.xlsx"]
    summary = [log for log in logs if log.action == "import"]
    assert len(summary) == 1 and summary[0].new_values["created"] == 1


# ---------------------------------------------------------------------------------------------
# Jurisdiction


def test_uscc_registered_in_another_region_is_refused_without_revealing_it(
    session, act_as_donghu_inspector
):
    session.add(Enterprise(name="西湖机械厂", uscc=XIHU, region_code="360103", sector="machinery"))
    session.commit()
    act_as_donghu_inspector()
    result = import_enterprises(
        session,
        [
            ["冒名企业", XIHU, "360102", "机械", None],
            ["东湖机械厂", DONGHU_A, "360102", "机械", None],
        ],
    )
    assert messages(result) == ["row 2: 统一社会信用代码: 该统一社会信用代码已在其他辖区登记"]
    assert not any("360103" in m or "西湖" in m for m in messages(result))
    assert result.created == 1
    session.expire_all()
    assert enterprise(session, XIHU).name == "西湖机械厂"


def test_region_outside_jurisdiction_is_refused(session, act_as_donghu_inspector):
    act_as_donghu_inspector()
    result = import_enterprises(session, [["西湖机械厂", XIHU, "360103", "机械", None]])
    assert messages(result) == [
        "row 2: 行政区划代码: “360103”（江西省南昌市西湖区）不在您的管辖范围内"
    ]
    assert count(session, Enterprise) == 0


def refuse_enterprise_in_database(db: Session, uscc: str) -> None:
    """From now on the database itself refuses to save an enterprise with this USCC, as it would
    refuse a duplicate that another import saved after this one checked the file."""
    db.execute(
        text(
            "CREATE TRIGGER refuse_enterprise BEFORE INSERT ON enterprise "
            f"WHEN NEW.uscc = '{uscc}' "
            "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: enterprise.uscc'); END"
        )
    )
    db.commit()


def test_row_refused_by_the_database_becomes_a_row_error_and_keeps_the_other_rows(session):
    refuse_enterprise_in_database(session, DONGHU_B)
    rows = [
        ["东湖机械厂", DONGHU_A, "360102", "机械", None],
        ["重复企业", DONGHU_B, "360102", "机械", None],
        ["东湖轻工厂", DONGHU_C, "360102", "轻工", "涉氨制冷"],
    ]
    result = import_enterprises(session, rows)
    assert messages(result) == [
        "row 3: 统一社会信用代码: 保存失败：与已有数据冲突或数据超出允许范围，请核对后重试"
    ]
    assert result.created == 2
    names = session.scalars(select(Enterprise.name).execution_options(**{UNSCOPED: True}))
    assert sorted(names) == ["东湖机械厂", "东湖轻工厂"]
    assert enterprise(session, DONGHU_C).tags == ["ammonia"]


def test_row_refused_by_the_database_leaves_no_audit_row(session):
    refuse_enterprise_in_database(session, DONGHU_A)
    rows = [
        ["重复企业", DONGHU_A, "360102", "机械", None],
        ["东湖轻工厂", DONGHU_B, "360102", "轻工", None],
    ]
    import_enterprises(session, rows)
    summaries = list(session.scalars(select(AuditLog.summary).where(AuditLog.action == "create")))
    assert "重复企业" not in summaries
    assert any("东湖轻工厂" in summary for summary in summaries)  # the saved row is audited


# ---------------------------------------------------------------------------------------------
# Equipment


EQUIPMENT_HEADER = ["统一社会信用代码*", "设备类型*", "设备名称*", "设备编号", "安装位置", "备注"]


def test_equipment_is_matched_on_enterprise_type_and_name(session):
    import_enterprises(session, [["东湖机械厂", DONGHU_A, "360102", "机械", None]])
    rows = [
        [DONGHU_A, "有限空间", "1号污水井", "YX-001", "污水站", None],
        [DONGHU_A, "dry_dust_collector", "抛光除尘系统", None, None, "每周清灰"],
    ]
    first = import_file(session, "equipment", xlsx([EQUIPMENT_HEADER, *rows]), "设备.xlsx")
    assert messages(first) == [] and first.created == 2
    rows[0][3] = "YX-002"
    rows[1][5] = None
    second = import_file(session, "equipment", xlsx([EQUIPMENT_HEADER, *rows]), "设备.xlsx")
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    session.expire_all()
    stored = {e.name: e for e in session.scalars(select(Equipment))}
    assert stored["1号污水井"].equipment_type == "confined_space"
    assert stored["1号污水井"].serial_no == "YX-002"
    assert stored["抛光除尘系统"].notes == "每周清灰"


def test_equipment_of_an_unknown_or_foreign_enterprise_is_refused(session, act_as_donghu_inspector):
    session.add(Enterprise(name="西湖机械厂", uscc=XIHU, region_code="360103", sector="machinery"))
    session.commit()
    act_as_donghu_inspector()
    rows = [[XIHU, "有限空间", "1号污水井"], [DONGHU_A, "锅炉", "1号锅炉"]]
    result = import_file(session, "equipment", xlsx([EQUIPMENT_HEADER[:3], *rows]), "设备.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "统一社会信用代码"),
        (3, "统一社会信用代码"),
        (3, "设备类型"),
    ]
    assert "未找到" in result.errors[0].message
    assert count(session, Equipment) == 0


# ---------------------------------------------------------------------------------------------
# Enforcers and trainings


ENFORCER_HEADER = [
    "姓名*",
    "执法证号*",
    "所属部门行政区划代码*",
    "所属部门名称",
    "职务",
    "联系电话",
    "培训日期",
    "培训课程",
    "培训学时",
]


def import_enforcers(db: Session, rows: list[list[Any]]) -> Any:
    return import_file(db, "enforcers", xlsx([ENFORCER_HEADER, *rows]), "人员.xlsx")


def test_one_row_per_training_adds_each_training_once(session):
    rows = [
        [
            "王五",
            "36010220240001",
            "360102",
            None,
            "队员",
            None,
            dt.date(2024, 3, 15),
            "隐患判定标准",
            8,
        ],
        ["王五", "36010220240001", "360102", None, None, None, "2024/4/2", "有限空间作业", "4.5"],
        ["赵六", "36010220240002", 360102, None, None, None, None, None, None],
    ]
    first = import_enforcers(session, rows)
    assert messages(first) == []
    assert (first.created, first.updated) == (2, 1)
    second = import_enforcers(session, rows)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert count(session, Enforcer) == 2
    wang = session.scalars(
        select(Enforcer).where(Enforcer.certificate_no == "36010220240001")
    ).one()
    assert [(t.date, t.course, t.hours) for t in wang.trainings] == [
        (dt.date(2024, 3, 15), "隐患判定标准", 8.0),
        (dt.date(2024, 4, 2), "有限空间作业", 4.5),
    ]
    assert wang.position == "队员" and wang.department.name == "东湖区应急管理局"
    assert count(session, TrainingRecord) == 2


def test_department_is_chosen_by_name_when_a_region_has_several(session):
    rows = [
        ["张三", "51010020240001", "510100", None, None, None, None, None, None],
        [
            "李四",
            "51010020240002",
            "510100",
            "成都市应急管理综合行政执法支队",
            None,
            None,
            None,
            None,
            None,
        ],
        ["钱七", "51010020240003", "510100", "成都市公安局", None, None, None, None, None],
        ["孙八", "51010020240004", "510104", None, None, None, None, None, None],
    ]
    result = import_enforcers(session, rows)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "所属部门名称"),
        (4, "所属部门名称"),
        (5, "所属部门行政区划代码"),
    ]
    assert "可选：成都市应急管理局、成都市应急管理综合行政执法支队" in result.errors[0].message
    li = session.scalars(select(Enforcer)).one()
    assert li.department.name == "成都市应急管理综合行政执法支队"


def test_incomplete_or_invalid_training_is_reported(session):
    rows = [
        ["王五", "36010220240001", "360102", None, None, None, "2024-03-15", None, None],
        ["赵六", "36010220240002", "360102", None, None, None, "2024-02-30", "课程", "-1"],
        ["孙八", "36010220240003", "360102", None, None, None, "2999-01-01", "课程", "8"],
    ]
    result = import_enforcers(session, rows)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "培训课程"),
        (2, "培训学时"),
        (3, "培训日期"),
        (3, "培训学时"),
        (4, "培训日期"),
    ]
    assert count(session, Enforcer) == 0


def test_rows_of_one_enforcer_must_describe_the_same_person(session):
    rows = [
        ["王五", "36010220240001", "360102", None, None, None, "2024-03-15", "课程一", 8],
        ["王武", "36010220240001", "360102", None, None, None, "2024-03-16", "课程二", 8],
    ]
    result = import_enforcers(session, rows)
    assert messages(result) == ["row 3: 姓名: 与第2行（同一执法证号）填写的不一致"]
    assert count(session, TrainingRecord) == 1


def test_enforcer_registered_in_another_region_is_refused(session, act_as_donghu_inspector):
    xihu = session.scalars(select(Department).where(Department.region_code == "360103")).one()
    session.add(Enforcer(name="西湖执法员", certificate_no="36010320240001", department_id=xihu.id))
    session.commit()
    act_as_donghu_inspector()
    rows = [
        ["西湖执法员", "36010320240001", "360102", None, None, None, None, None, None],
        ["东湖执法员", "36010220240009", "360103", None, None, None, None, None, None],
    ]
    result = import_enforcers(session, rows)
    assert messages(result) == [
        "row 2: 执法证号: 该执法证号已在其他辖区登记",
        "row 3: 所属部门行政区划代码: 所选执法部门不在您的管辖范围内",
    ]


# ---------------------------------------------------------------------------------------------
# Templates


def test_template_example_rows_import_cleanly(session):
    for kind in ("enterprises", "equipment", "enforcers"):
        result = import_file(session, kind, template_xlsx(kind), f"{kind}.xlsx")
        assert messages(result) == [], kind
        assert result.created == 1, kind
    assert count(session, Enterprise) == count(session, Equipment) == count(session, Enforcer) == 1
    assert count(session, TrainingRecord) == 1
