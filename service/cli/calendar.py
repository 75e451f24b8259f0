import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service.domain import provisional
from service.domain.calendar import CalendarFileError
from service.extensions import db
from service.models.types import utcnow

group = click.Group("calendar", help="节假日安排（工作日计算）。")


@group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="admin-cli", show_default=True, help="记入审计日志的操作人")
@with_appcontext
def load(file: Path, actor: str):
    """Load one year's arrangement (JSON or CSV); recompute provisional deadlines and appeal windows."""
    try:
        text = file.read_text(encoding="utf-8")
        result = provisional.load_calendar_year(
            db.session, current_app.extensions["settings"], text, str(file.name), actor, utcnow()
        )
    except (CalendarFileError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"日历文件无效：{exc}") from exc
    click.echo(json.dumps(result, ensure_ascii=False))


@group.command("status")
@with_appcontext
def status():
    """Known years, open tickets and appeal windows with provisional deadlines, warnings."""
    click.echo(json.dumps(provisional.calendar_status(db.session, utcnow()), ensure_ascii=False, indent=2))
