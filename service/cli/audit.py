import json

import click
from flask.cli import with_appcontext

from service.domain import accounts
from service.extensions import db

group = click.Group("audit", help="审计日志。")


@group.command("verify")
@with_appcontext
def verify():
    """Walk the hash chain; exit 1 and name the first broken entry if any."""
    result = accounts.verify(db.session)
    click.echo(json.dumps({"ok": result.ok, "checked": result.checked,
                           "broken_id": result.broken_id, "reason": result.reason}))
    if not result.ok:
        raise SystemExit(1)
