"""Citizens' contact data: AES-GCM encryption at rest, the keyed blind index, masked forms.

Owns: `ContactCipher`, the masks of contact fields (138****8000, 张*), and every masking rule for
text (`text.py`): numbers inside free text (phone, ID-card, bank-card), secrets in log lines, and
spreadsheet cells that must never be read as formulas; and the retention of contact data
(`retention.py`: anonymised CONTACT_RETENTION_DAYS after the event). Every capability that stores
or shows a citizen's name or phone number, free text or an export goes through here.
May import: `accounts` (the audit entry of a retention run), `config`, `service.models`.
"""

from service.domain.privacy.contacts import (
    ContactCipher,
    mask_name,
    mask_phone,
    normalise_phone,
)
from service.domain.privacy.retention import anonymise_contacts
from service.domain.privacy.text import (
    looks_like_formula,
    mask_free_text,
    mask_log_text,
    mask_nested,
    spreadsheet_cell,
)

__all__ = [
    "ContactCipher",
    "anonymise_contacts",
    "looks_like_formula",
    "mask_free_text",
    "mask_log_text",
    "mask_nested",
    "mask_name",
    "mask_phone",
    "normalise_phone",
    "spreadsheet_cell",
]
