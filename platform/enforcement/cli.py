"""The `enforcement` command (a Flask CLI group): db, regions, users, import, demo, jobs, run,
calendar, workflow, docking."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> object:
    from enforcement.web.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """工贸专项执法平台 command line."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations, sync permissions and roles, load GB/T 2260 regions when missing."""
    import flask_migrate

    from enforcement.services.regions import RegionSourceMissing, load_regions
    from enforcement.web.app import sync_permissions

    flask_migrate.upgrade(revision=revision)
    sync_permissions(current_app)  # type: ignore[arg-type]
    try:
        added = load_regions(current_app.appbuilder.session, current_app.config["REGIONS_SOURCE"])
        if added:
            click.echo(f"已载入行政区划 {added} 条")
    except RegionSourceMissing as exc:
        click.echo(f"警告：{exc}", err=True)
    click.echo("数据库已升级到最新版本")


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True)
@with_appcontext
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a migration (developers)."""
    import flask_migrate

    flask_migrate.revision(message=message, autogenerate=autogenerate)


@db.command("current")
@with_appcontext
def db_current() -> None:
    import flask_migrate

    flask_migrate.current()


@main.group()
def regions() -> None:
    """GB/T 2260 regions."""


@regions.command("load")
@click.option("--source", default=None, help="folder with provinces.json, cities.json, areas.json")
@with_appcontext
def regions_load(source: str | None) -> None:
    from enforcement.services.regions import load_regions

    added = load_regions(
        current_app.appbuilder.session, source or current_app.config["REGIONS_SOURCE"]
    )
    click.echo(f"已载入行政区划 {added} 条")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "leader", "inspector", "docking"])
)
@click.option("--department", "department_code", default=None, help="region code of the department")
@click.option("--name", default=None, help="display name")
@with_appcontext
def users_create(
    username: str, password: str, role: str, department_code: str | None, name: str | None
) -> None:
    from flask_appbuilder.exceptions import PasswordComplexityValidationError
    from sqlalchemy import select

    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.models import Department

    sm = current_app.appbuilder.sm
    try:
        current_app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"](password)
    except PasswordComplexityValidationError as exc:
        raise click.ClickException(str(exc)) from None
    if sm.find_user(username=username):
        raise click.ClickException(f"用户 {username} 已存在")
    department = None
    if department_code:
        department = sm.session.scalar(
            select(Department)
            .where(Department.region_code == department_code)
            .order_by(Department.id)
        )
        if department is None:
            raise click.ClickException(f"找不到行政区划代码为 {department_code} 的执法部门")
    role_row = sm.find_role(role)
    if role_row is None:
        raise click.ClickException(f"角色 {role} 不存在：请先运行 enforcement db upgrade")
    user = sm.add_user(
        username=username,
        first_name=name or username,
        last_name="",
        email=f"{username}@example.invalid",
        role=role_row,
        password=password,
    )
    if not user:
        raise click.ClickException("创建用户失败")
    with unit_of_work(sm.session):  # FAB's add_user has committed the account; now its department
        user.department_id = department.id if department else None
    click.echo(f"已创建用户 {username}（{role}）")


@main.command("import")
@click.argument("kind", type=click.Choice(["enterprises", "equipment", "enforcers"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(kind: str, file: Path) -> None:
    """Import a .xlsx or .csv file; one line per rejected row; exit 1 when any row was rejected."""
    from enforcement.services.importing import import_file

    result = import_file(
        current_app.appbuilder.session,
        kind,
        file.read_bytes(),
        file.name,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )
    for error in result.errors:
        click.echo(str(error))
    click.echo(
        f"新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}，出错 {len(result.errors)}",
        err=True,
    )
    if result.errors:
        sys.exit(1)


@main.command("demo")
@click.option("--seed", default=2021, show_default=True, type=int)
@with_appcontext
def demo_command(seed: int) -> None:
    """Load the demo data set for the five pilot cities (idempotent)."""
    from enforcement.demo import load_demo

    summary = load_demo(current_app.appbuilder.session, seed=seed)
    click.echo(f"演示数据：{summary}")


@main.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts (used by `make run`)."""
    from enforcement.demo import DEMO_PASSWORD, DEMO_USERS

    for username, role, description in DEMO_USERS:
        click.echo(f"  {username:<12} {role:<10} {description}")
    click.echo(f"  密码（全部）：{DEMO_PASSWORD}")


@main.group()
def checklists() -> None:
    """Checklist plugins (检查事项)."""


@checklists.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@with_appcontext
def checklists_list(as_json: bool) -> None:
    """id, version, source, status, item count of every known checklist version."""
    import json

    from enforcement.services.checklists import platform_of

    platform = platform_of()
    rows = [
        {
            "id": e.id,
            "version": e.version,
            "source": e.source,
            "status": e.status,
            "items": len(e.declaration["items"]),
            "scope": e.scope_region or "national",
            "title": e.declaration["title"],
        }
        for e in platform.registry.all()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:<34} {row['version']:<8} {row['source']:<9} {row['status']:<8} "
            f"{row['items']:>3} 项  {row['scope']:<8} {row['title']}"
        )
    for error in platform.registry.errors:
        click.echo(f"无效插件：{error}", err=True)


@checklists.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def checklists_validate(paths: tuple[Path, ...]) -> None:
    """Exit 0 when every file is valid; else one line per error (`PATH: /pointer: message`), exit 1."""
    from enforcement.checklists.errors import PluginError
    from enforcement.checklists.loader import validate_text
    from enforcement.services.checklists import platform_of

    known = set(platform_of().registry.equipment_types)
    failed = False
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors = [PluginError(str(path), "", f"无法读取文件：{exc}")]
        else:
            errors = validate_text(text, str(path), known)[1]
        for error in errors:
            click.echo(str(error))
        failed = failed or bool(errors)
    sys.exit(1 if failed else 0)


@checklists.command("show")
@click.argument("plugin_id")
@click.option("--version", default=None)
@click.option("--compiled", is_flag=True, help="the compiled answers schema and UI schema")
@with_appcontext
def checklists_show(plugin_id: str, version: str | None, compiled: bool) -> None:
    import json

    from enforcement.services.checklists import platform_of

    entry = platform_of().registry.get(plugin_id, version)
    if entry is None:
        raise click.ClickException(f"找不到检查事项插件 {plugin_id}")
    if compiled:
        c = entry.compiled
        data = {"sha256": c.sha256, "answers_schema": c.answers_schema, "ui_schema": c.ui_schema}
    else:
        data = entry.declaration
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def run_command(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress (a production WSGI server)."""
    import waitress

    from enforcement.services.jobs import start_scheduler
    from enforcement.web.app import create_app

    app = create_app()
    if start_scheduler(app) is not None:  # JOBS_INTERVAL_MINUTES > 0: no cron needed
        click.echo(f"定时任务：每 {app.config['JOBS_INTERVAL_MINUTES']} 分钟运行一次")
    click.echo(f"工贸专项执法平台：http://{host}:{port}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="enforcement")


# Scheduled jobs (enforcement.services.jobs) ------------------------------------------------------


@main.group()
def jobs() -> None:
    """Scheduled work (re-inspection tasks that fell due): for cron or a systemd timer."""


@jobs.command("run")
@click.option("--only", multiple=True, help="run only this job (repeatable): rechecks")
@with_appcontext
def jobs_run(only: tuple[str, ...]) -> None:
    """Run the scheduled jobs once (idempotent: safe to run every few minutes)."""
    from enforcement.services.jobs import JOBS, run_jobs

    unknown = [name for name in only if name not in JOBS]
    if unknown:
        raise click.ClickException(f"没有这项任务：{'、'.join(unknown)}（可选：{'、'.join(JOBS)}）")
    for result in run_jobs(current_app.appbuilder.session, only=list(only) or None):
        click.echo(f"{result.label}：{result.count}")


# Backup and restore (enforcement.services.backup) ------------------------------------------------


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write FILE (.tar.gz): database snapshot, DATA_DIR files, manifest.json with SHA-256 sums."""
    from enforcement.services.backup import BackupError, create_backup

    try:
        summary = create_backup(
            current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["DATA_DIR"], file
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"已备份到 {summary.archive}（{summary.engine}，迁移版本 {summary.revision}，"
        f"数据库快照 + {summary.data_files} 个文件，{summary.bytes / 1048576:.1f} MB，"
        f"用时 {summary.seconds:.1f} 秒）"
    )


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite an instance that already has data")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Check FILE against its manifest, then restore it into this (empty) instance."""
    from enforcement.services.backup import BackupError, restore_backup

    session = current_app.appbuilder.session  # type: ignore[attr-defined]
    session.remove()
    session.get_bind().dispose()  # no pooled connection of ours across the restore
    try:
        summary = restore_backup(
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            current_app.config["DATA_DIR"],
            file,
            force=force,
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"已从 {summary.archive} 恢复（{summary.engine}，迁移版本 {summary.revision}，"
        f"{summary.data_files} 个文件，用时 {summary.seconds:.1f} 秒）；"
        "若平台版本更新，请再运行 enforcement db upgrade"
    )


if __name__ == "__main__":
    main()


@main.group()
def calendar() -> None:
    """工作日历: statutory holidays and 调休 (行政处罚法 第八十五条)."""


@calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--source", default="", help="发布文件，如 国务院办公厅关于2027年部分节假日安排的通知"
)
@with_appcontext
def calendar_load(file: Path, source: str) -> None:
    """Load one year's arrangement (CSV 日期,类型(休/班),名称 or JSON; see services/calendar.py)."""
    from enforcement.domain.errors import Refused
    from enforcement.services.calendar import load_year, parse_file

    try:
        table = parse_file(file, source)
        load_year(current_app.appbuilder.session, table, actor="system")
    except Refused as exc:
        for message in exc.messages:
            click.echo(message, err=True)
        sys.exit(1)
    click.echo(
        f"已载入{table.year}年工作日历：休息日 {len(table.holidays)} 天，调休上班 "
        f"{len(table.workdays)} 天（{table.source or '未注明来源'}）"
    )


@calendar.command("show")
@click.argument("year", type=int)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@with_appcontext
def calendar_show(year: int, as_json: bool) -> None:
    """The year's holidays and 调休 days, and where they come from; a missing year is reported."""
    import json

    from enforcement.services.calendar import describe_year, working_calendar

    info = describe_year(working_calendar(current_app.appbuilder.session), year)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    elif not info["covered"]:
        click.echo(
            f"{year}年的法定节假日安排尚未载入：涉及该年的工作日期限将被拒绝计算。"
            "请用 enforcement calendar load <文件> 载入",
            err=True,
        )
    else:
        click.echo(f"{year}年 来源：{info['source']}")
        click.echo("休息日：" + "、".join(info["holidays"]))  # type: ignore[arg-type]
        click.echo("调休上班：" + ("、".join(info["workdays"]) or "无"))  # type: ignore[arg-type]
    if not info["covered"]:
        sys.exit(1)


@main.group()
def workflow() -> None:
    """The 立案查处 procedure (transition and limits tables)."""


@workflow.command("show")
@click.option("--json", "as_json", is_flag=True, help="JSON (schemas/workflow.schema.json)")
def workflow_show(as_json: bool) -> None:
    """Rule sets, stages, transitions and limits; Markdown (docs/workflow.md) without --json."""
    import json

    from enforcement.domain import workflow as wf

    if as_json:
        click.echo(json.dumps(wf.workflow_data(), ensure_ascii=False, indent=2))
    else:
        click.echo(wf.render_markdown(), nl=False)


@main.group()
def docking() -> None:
    """数据对接: the reference client of the docking API."""


@docking.command("push")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="the platform, e.g. https://zhifa.example.gov.cn")
@click.option("--token", required=True, envvar="ENFORCEMENT_DOCKING_TOKEN", help="JWT access token")
@click.option("--source", default=None, help="source system id (NDJSON files, record lists)")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--dry-run", is_flag=True, help="validate only: the platform writes nothing")
@click.option("--retries", default=5, show_default=True, type=click.IntRange(0, 20))
def docking_push(
    file: Path,
    url: str,
    token: str,
    source: str | None,
    batch_size: int,
    dry_run: bool,
    retries: int,
) -> None:
    """Push a file of records (JSON batch, JSON list or NDJSON) in batches; exit 1 on rejections."""
    from enforcement.services.docking.client import ClientError, push_file, read_records

    try:
        _, _, total = read_records(file, source)
        with click.progressbar(length=total, label="推送中", file=sys.stderr) as bar:
            totals = push_file(
                file,
                url,
                token,
                source=source,
                batch_size=batch_size,
                dry_run=dry_run,
                retries=retries,
                progress=bar.update,
            )
    except ClientError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{'试运行：' if dry_run else ''}共{totals.records}条记录、{totals.batches}批："
        f"接受{totals.accepted}，无变化{totals.unchanged}，拒绝{len(totals.rejected)}"
        f"（重试{totals.retries}次）"
    )
    for rejected in totals.rejected[:50]:
        for error in rejected.get("errors", []):
            click.echo(
                f"第{rejected['index'] + 1}条 {rejected.get('type') or ''} {rejected.get('id') or ''}"
                f" {error.get('path')}: {error.get('message')}（{error.get('code', '')}）"
            )
    if len(totals.rejected) > 50:
        click.echo(f"……另有{len(totals.rejected) - 50}条被拒记录未列出")
    if totals.rejected:
        sys.exit(1)
