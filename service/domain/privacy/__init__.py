"""Citizens' contact data: AES-GCM encryption at rest, the keyed blind index, masked forms.

Owns: `ContactCipher` and the masks (138****8000, 张*). Every capability that stores or shows a
citizen's name or phone number goes through here.
May import: nothing of the domain (it is a leaf).
"""

from service.domain.privacy.contacts import (
    ContactCipher,
    mask_name,
    mask_phone,
    normalise_phone,
)

__all__ = [
    "ContactCipher",
    "mask_name",
    "mask_phone",
    "normalise_phone",
]
