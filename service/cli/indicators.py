import json
from datetime import date

import click
from flask.cli import with_appcontext

from service.domain import indicators
from service.extensions import db
from service.models.types import utcnow

group = click.Group("indicators", help="指标汇总（rollups）。")


def _day(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD") from exc


@group.command("rebuild")
@click.option("--from", "first", callback=_day, help="起始日期（含），YYYY-MM-DD；缺省为最早数据")
@click.option("--to", "last", callback=_day, help="结束日期（含），YYYY-MM-DD；缺省为最新数据")
@with_appcontext
def rebuild(first, last):
    """Recompute the daily rollups from raw rows (all days, or only --from..--to)."""
    if first and last and last < first:
        raise click.BadParameter("--to 不能早于 --from")
    result = indicators.rebuild_rollups(db.session, utcnow(), first, last)
    click.echo(json.dumps(result, ensure_ascii=False))


@group.command("catch-up")
@with_appcontext
def catch_up():
    """Bring the rollups up to date from the watermark (what the periodic job does)."""
    click.echo(json.dumps(indicators.refresh_rollups(db.session, utcnow()), ensure_ascii=False))
