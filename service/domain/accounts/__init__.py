"""Staff and service accounts, departments and the audit log.

Owns: users and API tokens (argon2 passwords, SHA-256 token hashes, expiry and rotation), password
login with a per-account lockout and TOTP (`login.py`, `totp.py`), the caller's `Scope` (a
department sees its own subtree), departments with their materialised path, and the append-only,
keyed hash chain of the audit log every other capability writes to, with its signed anchors and
its verification (`audit.py`: overview and reads; `audit_chain.py`, `audit_verify.py`).
May import: `service.models`, `config`, the shared `service.domain.errors`/`pagination`.
Nothing else of the domain: every other capability package builds on this one.
"""

from service.domain.accounts.audit import (
    GENESIS,
    Anchor,
    Entry,
    VerifyResult,
    anchor,
    append_checkpoint,
    checkpoint_audit,
    history,
    list_entries,
    read_anchors,
    record,
    record_many,
    use_audit_key,
    verify,
)
from service.domain.accounts.departments import (
    create_department,
    department_by_code,
    list_departments,
    require_department,
    subtree_ids,
)
from service.domain.accounts.login import login
from service.domain.accounts.totp import disable_totp, enable_totp
from service.domain.accounts.users import (
    DEPARTMENT_ROLES,
    Scope,
    check_password,
    create_user,
    hash_token,
    issue_token,
    revoke_tokens,
    rotate_tokens,
    scope_for,
    user_for_token,
)

__all__ = [
    "Anchor",
    "anchor",
    "append_checkpoint",
    "checkpoint_audit",
    "read_anchors",
    "use_audit_key",
    "DEPARTMENT_ROLES",
    "Entry",
    "GENESIS",
    "Scope",
    "VerifyResult",
    "check_password",
    "create_department",
    "create_user",
    "department_by_code",
    "hash_token",
    "history",
    "issue_token",
    "list_departments",
    "list_entries",
    "login",
    "record",
    "record_many",
    "require_department",
    "revoke_tokens",
    "rotate_tokens",
    "disable_totp",
    "enable_totp",
    "scope_for",
    "subtree_ids",
    "user_for_token",
    "verify",
]
