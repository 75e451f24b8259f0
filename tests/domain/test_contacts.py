import logging
import os

import pytest
from cryptography.exceptions import InvalidTag

from service.domain.privacy.contacts import ContactCipher, mask_name, mask_phone
from service.logging import install_contact_mask


@pytest.fixture
def cipher():
    return ContactCipher(os.urandom(32), os.urandom(32))


def test_encryption_round_trips_and_is_randomised(cipher):
    a, b = cipher.encrypt("13800138000"), cipher.encrypt("13800138000")
    assert a != b
    assert cipher.decrypt(a) == cipher.decrypt(b) == "13800138000"
    assert cipher.encrypt(None) is None and cipher.encrypt("") is None


def test_tampered_ciphertext_is_refused(cipher):
    blob = bytearray(cipher.encrypt("张三"))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        cipher.decrypt(bytes(blob))


def test_blind_index_finds_the_same_number_in_any_format(cipher):
    index = cipher.phone_index("13800138000")
    assert cipher.phone_index("+86 138-0013-8000") == index
    assert cipher.phone_index("13900139000") != index
    other_key = ContactCipher(os.urandom(32), os.urandom(32))
    assert other_key.phone_index("13800138000") != index  # keyed: useless without the key


def test_masks():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone(None) is None and mask_name("") is None


def test_log_lines_never_carry_a_full_mobile_number(caplog):
    install_contact_mask()
    with caplog.at_level(logging.INFO):
        logging.getLogger("service.test").info("caller %s called back", "13800138000")
    assert "13800138000" not in caplog.text
    assert "138****8000" in caplog.text
