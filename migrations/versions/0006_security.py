"""security (issue 11): keyed audit chain with positions and anchors, append-only audit table,
API token expiry, TOTP, login lockout, contact-data retention

The audit chain
---------------
Entries get a position (`seq`) and are re-hashed with HMAC-SHA256 keyed by AUDIT_KEY (the app's
setting; required in production). The old SHA-256 chain is verified first: if it is broken the
upgrade stops and names the entry, because re-keying would launder the tampering. Set AUDIT_KEY
before upgrading; the same key must be used from then on.

Append-only on PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE on audit_log for every
role, the owner included. Defence in depth, also revoke the privileges from the role the
application connects as (run as the table's owner, with your role's name):

    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM feedback_app;
    GRANT SELECT, INSERT ON audit_log TO feedback_app;
    GRANT USAGE ON SEQUENCE audit_log_id_seq TO feedback_app;

and let a different role own the table and run migrations, so the application can neither
change the table nor drop the trigger. The application never deletes an audit entry (domain.md
§7: kept at least 6 months); archiving older entries is an operator's task outside the app.

Revision ID: 0006_security
Revises: 0005_rate_token_hash
"""

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op
from flask import current_app
from sqlalchemy.dialects import postgresql

revision = "0006_security"
down_revision = "0005_figures"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
CONTENT = ("at", "actor", "action", "entity_type", "entity_id", "from_state", "to_state", "note", "data")
audit = sa.table(
    "audit_log", sa.column("id", sa.BigInteger), sa.column("at", sa.DateTime(timezone=True)),
    *(sa.column(name, sa.String) for name in CONTENT[1:-1]), sa.column("data", sa.JSON),
    sa.column("seq", sa.BigInteger), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)
APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""


def _canonical(row) -> str:
    payload = {name: getattr(row, name) for name in CONTENT}
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    payload["at"] = at.astimezone(timezone.utc).isoformat()
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _rekey_audit_chain(connection) -> None:
    """Check the SHA-256 chain, then rewrite it as the keyed chain with positions (frozen copy of
    service/domain/accounts/audit.py's digest as of this revision)."""
    key = current_app.extensions["settings"].audit_key
    rows = connection.execute(sa.select(audit).order_by(audit.c.id)).all()
    old_prev, new_prev, updates = GENESIS, GENESIS, []
    for seq, row in enumerate(rows, start=1):
        canonical = _canonical(row)
        if row.prev_hash != old_prev or hashlib.sha256((old_prev + canonical).encode()).hexdigest() != row.hash:
            raise RuntimeError(f"audit_log entry id {row.id} does not verify under the old chain; "
                               "investigate before upgrading (re-keying would hide it)")
        old_prev = row.hash
        new_hash = hmac.new(key, f"{new_prev}|{seq}|{canonical}".encode(), hashlib.sha256).hexdigest()
        updates.append({"row_id": row.id, "seq": seq, "prev": new_prev, "new_hash": new_hash})
        new_prev = new_hash
    if updates:
        connection.execute(
            audit.update().where(audit.c.id == sa.bindparam("row_id"))
            .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev"), hash=sa.bindparam("new_hash")),
            updates,
        )


def upgrade():
    connection = op.get_bind()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
    _rekey_audit_chain(connection)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
    if connection.dialect.name == "postgresql":
        op.execute(APPEND_ONLY)

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_anchors", sa.JSON().with_variant(
            postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True))
    _accounts(connection)
    _retention()


def _accounts(connection) -> None:
    # Tokens issued before expiry existed get the default lifetime from now: nothing stops working
    # at the upgrade, and `flask users rotate` replaces them before then.
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    expires = datetime.now(timezone.utc) + timedelta(days=current_app.extensions["settings"].api_token_ttl_days)
    if connection.dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # the app's UTC columns store naive UTC on SQLite
    connection.execute(tokens.update().values(expires_at=expires))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "login_throttles",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_login_throttles")),
    )


def _retention() -> None:
    for table, column in (("service_events", "completed_at"), ("hotline_cases", "received_at")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("contact_anonymised_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.create_index(f"ix_{table}_contact_kept", [column], unique=False,
                                  postgresql_where=sa.text("contact_anonymised_at IS NULL"),
                                  sqlite_where=sa.text("contact_anonymised_at IS NULL"))


def downgrade():
    for table in ("service_events", "hotline_cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_contact_kept")
            batch_op.drop_column("contact_anonymised_at")
    op.drop_table("login_throttles")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret_enc")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("audit_anchors")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    # The keyed hashes stay: the old SHA-256 chain cannot be restored without re-hashing.
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("seq")
