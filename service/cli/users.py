from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from service.domain import accounts
from service.domain.errors import DomainError
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models.types import utcnow
from service.models.user import ROLES

group = click.Group("users", help="用户与服务账号。")


def _ttl(days: int | None) -> timedelta:
    return timedelta(days=days or current_app.extensions["settings"].api_token_ttl_days)


@group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", "department_code", default=None, help="部门编码（承办单位账号必填）")
@click.option("--password", default=None, help="可选：登录密码（argon2 哈希保存）")
@click.option("--ttl-days", type=click.IntRange(min=1), default=None, help="令牌有效天数（缺省 API_TOKEN_TTL_DAYS）")
@with_appcontext
def create(name, role, department_code, password, ttl_days):
    """Create a user or service account; the API token is printed alone on the last line."""
    try:
        user, token = accounts.create_user(db.session, name, role, department_code, password, _ttl(ttl_days))
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
    click.echo(f"created {user.role} {user.name} (id {user.id}); the token is shown once:")
    click.echo(token)


@group.command("rotate")
@click.argument("name")
@click.option("--grace-hours", type=click.IntRange(min=0), default=0, show_default=True,
              help="旧令牌再保留的小时数（让对接系统切换）；0 为立即失效")
@click.option("--ttl-days", type=click.IntRange(min=1), default=None, help="新令牌有效天数（缺省 API_TOKEN_TTL_DAYS）")
@with_appcontext
def rotate(name, grace_hours, ttl_days):
    """Issue a fresh token and retire the account's others (at once, or after --grace-hours);
    audited. The new token is printed alone on the last line."""
    try:
        token = accounts.rotate_tokens(db.session, name, _ttl(ttl_days), utcnow(), timedelta(hours=grace_hours))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"rotated the tokens of {name}; the new token is shown once:")
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


@group.command("totp")
@click.argument("name")
@click.option("--disable", is_flag=True, help="停用该账号的动态验证码")
@with_appcontext
def totp(name, disable):
    """Enable (or --disable) TOTP for a password login; prints the secret and the otpauth:// URI
    to scan into an authenticator app, once."""
    settings = current_app.extensions["settings"]
    try:
        if disable:
            accounts.disable_totp(db.session, name, utcnow())
            click.echo(f"TOTP disabled for {name}")
            return
        made = accounts.enable_totp(db.session, settings, ContactCipher(settings.contact_key, settings.blind_index_key),
                                    name, utcnow())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"TOTP enabled for {name}; secret (shown once): {made['secret']}")
    click.echo(made["uri"])
