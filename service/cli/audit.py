import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service.domain import accounts
from service.extensions import db
from service.models.types import utcnow

group = click.Group("audit", help="审计日志。")


@group.command("verify")
@click.option("--anchors", "anchor_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="检查点文件或 JSON 日志文件（可多次给出）；缺省为 AUDIT_CHECKPOINT_FILE")
@with_appcontext
def verify(anchor_files):
    """Walk the keyed chain and hold it against every anchor (checkpoint files or JSON log files,
    publication records). Prints what is missing or altered; exit 1 if anything is."""
    if not anchor_files:
        default = Path(current_app.extensions["settings"].audit_checkpoint_file)
        anchor_files = (default,) if default.exists() else ()
    missing = [str(path) for path in anchor_files if not path.exists()]
    if missing:
        raise click.ClickException(f"锚点文件不存在：{', '.join(missing)}")
    anchors, problems = accounts.read_anchors(anchor_files)
    result = accounts.verify(db.session, anchors, problems)
    click.echo(json.dumps({"ok": result.ok, "checked": result.checked, "anchors": result.anchors,
                           "anchor_files": [str(p) for p in anchor_files], "problems": result.problems},
                          ensure_ascii=False, indent=2))
    if not result.ok:
        raise SystemExit(1)


@group.command("checkpoint")
@with_appcontext
def checkpoint():
    """Write a signed checkpoint of the chain's head now (the periodic job does this regularly)."""
    path = current_app.extensions["settings"].audit_checkpoint_file
    made = accounts.checkpoint_audit(db.session, path, utcnow())
    click.echo(json.dumps({"audit_checkpoint": made, "file": path}, ensure_ascii=False))
