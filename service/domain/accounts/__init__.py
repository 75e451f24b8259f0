"""Staff and service accounts, departments and the audit log.

Owns: users and API tokens (argon2 passwords, SHA-256 token hashes), the caller's `Scope` (a
department sees its own subtree), departments with their materialised path, and the append-only,
hash-chained audit log every other capability writes to.
May import: `service.models`, `config`, the shared `service.domain.errors`/`pagination`.
Nothing else of the domain: every other capability package builds on this one.
"""

from service.domain.accounts.audit import (
    GENESIS,
    Entry,
    VerifyResult,
    history,
    list_entries,
    record,
    record_many,
    verify,
)
from service.domain.accounts.departments import (
    create_department,
    department_by_code,
    list_departments,
    require_department,
    subtree_ids,
)
from service.domain.accounts.users import (
    DEPARTMENT_ROLES,
    Scope,
    check_password,
    create_user,
    hash_token,
    issue_token,
    login,
    revoke_tokens,
    scope_for,
    user_for_token,
)

__all__ = [
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
    "scope_for",
    "subtree_ids",
    "user_for_token",
    "verify",
]
