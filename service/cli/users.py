import click
from flask.cli import with_appcontext

from service.domain import accounts
from service.domain.errors import DomainError
from service.extensions import db
from service.models.user import ROLES

group = click.Group("users", help="用户与服务账号。")


@group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", "department_code", default=None, help="部门编码（承办单位账号必填）")
@click.option("--password", default=None, help="可选：登录密码（argon2 哈希保存）")
@with_appcontext
def create(name, role, department_code, password):
    """Create a user or service account; the API token is printed alone on the last line."""
    try:
        user, token = accounts.create_user(db.session, name, role, department_code, password)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
    click.echo(f"created {user.role} {user.name} (id {user.id}); the token is shown once:")
    click.echo(token)


@group.command("revoke")
@click.argument("name")
@with_appcontext
def revoke(name):
    """Revoke every token of a user."""
    try:
        count = accounts.revoke_tokens(db.session, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"revoked {count} token(s)")
