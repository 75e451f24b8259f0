"""Masking rules for text (issue 11 items 3, 4, 6): numbers inside free text, secrets in log lines,
spreadsheet cells that are never read as formulas."""

import pytest

from service.domain.privacy import mask_free_text, mask_log_text, spreadsheet_cell


@pytest.mark.parametrize(("text", "masked"), [
    ("电话13800138000请回电", "电话138****8000请回电"),
    ("手机 +86 138-0013-8000。", "手机 138****8000。"),
    ("138 0013 8000", "138****8000"),
    ("身份证110101199003071234", "身份证110***********1234"),
    ("身份证号11010119900307123X谢谢", "身份证号110***********123X谢谢"),
    ("卡号6222 0212 3456 7890 123", "卡号6222***********0123"),
    ("卡号6222021234567890", "卡号6222********7890"),
    ("座机0755-88889999", "座机075*****9999"),
])
def test_numbers_inside_free_text_are_masked(text, masked):
    assert mask_free_text(text) == masked


@pytest.mark.parametrize("text", [
    "2026-11-25 10:00 办件编号EV-00001 金额100000元，等了3个月",
    "楼号12栋1201室，邮编518000",
    None,
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert mask_free_text(text) == text


def test_job_ids_and_digests_are_not_mangled():
    job_id = "a1b2c3d4-1380-0138-0000-e13800138000"
    digest = "3f2a13800138000aa9c8e7d6c5b4a3928171605f4e3d2c1b0a99887766554433"
    line = f"job {job_id} finished; head {digest}; caller 13800138000"
    assert mask_log_text(line) == f"job {job_id} finished; head {digest}; caller 138****8000"


def test_log_text_masks_tokens_and_totp_secrets():
    token = "4xYgk2Wq_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456"  # token_urlsafe(32): 43 characters
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # pyotp.random_base32()
    masked = mask_log_text(f"GET /rate/{token} Authorization: Bearer {token} totp={secret}")
    assert token not in masked and secret not in masked
    assert masked.count("4xYg…[masked]") == 2
    assert mask_free_text(token) == token  # free text keeps words; only logs treat runs as secrets


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("物业管理科", "物业管理科"),
    ("联系13800138000", "联系138****8000"),
    (0.5, 0.5),
    (-3, -3),
    (None, None),
])
def test_spreadsheet_cells_are_never_formulas(value, cell):
    assert spreadsheet_cell(value) == cell


def test_log_text_hides_row_values_from_database_error_details():
    line = ("NotNullViolation: null value\nDETAIL:  Failing row contains (5, ZJJ-A, 张三丰, null).\n"
            "DETAIL:  Key (code)=(张三丰) already exists.\n[SQL: INSERT INTO departments]")
    masked = mask_log_text(line)
    assert "张三丰" not in masked and masked.count("DETAIL:  [values hidden]") == 2 and "[SQL: INSERT" in masked


def test_long_snake_case_names_in_a_traceback_are_not_secrets():
    name = "test_sql_parameters_never_reach_an_exception_or_a_log"
    assert mask_log_text(f"line 63, in {name}") == f"line 63, in {name}"
