"""Citizen contact data: encrypted at rest (AES-GCM), a keyed blind index for look-up, masking."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NON_DIGITS = re.compile(r"\D")


class ContactCipher:
    def __init__(self, key: bytes, blind_index_key: bytes) -> None:
        self._aead = AESGCM(key)
        self._bidx_key = blind_index_key

    def encrypt(self, value: str | None) -> bytes | None:
        if value is None or value == "":
            return None
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, value.encode("utf-8"), None)

    def decrypt(self, blob: bytes | None) -> str | None:
        if not blob:
            return None
        nonce, ciphertext = blob[1:13], blob[13:]
        return self._aead.decrypt(nonce, ciphertext, None).decode("utf-8")

    def phone_index(self, phone: str | None) -> str | None:
        """Deterministic keyed hash of the normalised number: equality look-up without plaintext."""
        normalised = normalise_phone(phone)
        if not normalised:
            return None
        return hmac.new(self._bidx_key, normalised.encode(), hashlib.sha256).hexdigest()


def normalise_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = _NON_DIGITS.sub("", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or None


def mask_phone(phone: str | None) -> str | None:
    """138****8000; short numbers keep only their last two digits."""
    digits = normalise_phone(phone)
    if not digits:
        return None
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_name(name: str | None) -> str | None:
    """张* / 欧** : the surname stays, the given name does not."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)
