"""The public 公示 pages: `/public/` and `/public/{period}`, from published versions only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from service.domain import accounts, indicators
from service.models import Publication
from service.models.types import utcnow
from tests.api.test_indicators import october

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 10:00 in Shanghai


@pytest.fixture
def published(app, session, depts, time_machine):
    """September (no data) and October published, October corrected once; November a draft only."""
    time_machine.move_to(NOW, tick=False)
    october(session, depts)
    settings = app.extensions["settings"]
    one, _ = accounts.create_user(session, "supervisor-甲", "supervisor")
    two, _ = accounts.create_user(session, "supervisor-乙", "supervisor")
    now = utcnow()

    def publish(period, reason=None):
        draft = indicators.create_publication(session, settings, period, one, now, reason)
        return indicators.approve_publication(session, settings, draft.id, two, now)

    publish("2026-09")
    publish("2026-10")
    publish("2026-10", reason="更正物业管理科评价量")
    indicators.create_publication(session, settings, "2026-11", one, now)  # a draft: never shown
    return now


def department_rows(html: str) -> list[str]:
    table = html[html.index('<table class="figures">'):html.index("</table>")]
    return re.findall(r'<th scope="row">([^<]+)</th>', table)


def html_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_index_lists_published_periods_newest_first_with_their_status(client, published):
    html = html_of(client.get("/public/"))
    periods = re.findall(r'href="/public/([^"?]+)"', html)
    assert periods == ["2026-10", "2026-09"]  # the November draft is not there
    assert "2026年10月" in html and "公示中 · 申诉期至" in html
    assert "已更正 第2版：更正物业管理科评价量" in html
    assert "supervisor-甲" not in html and "supervisor-乙" not in html


def test_a_period_shows_every_department_with_its_standing_trend_and_downloads(client, published):
    response = client.get("/public/2026-10")
    html = html_of(response)
    assert response.headers["Referrer-Policy"] == "no-referrer" and "Content-Security-Policy" in response.headers
    assert [h for h in re.findall(r"<th scope=\"col\"[^>]*>(?:<a [^>]*>)?([^<]+)", html)][:9] == [
        "单位", "评价量", "好评率", "差评率", "差评整改率", "按时整改率", "满意度得分", "超期数", "综合得分"]
    rows = department_rows(html)
    assert rows[:4] == ["市住房和城乡建设局", "物业管理科", "物业管理科一组", "政务服务科"]
    assert "75.0%" in html  # 物业管理科's good rate, 3 of 4
    assert re.search(r'class="standing (green|yellow|red)">(良好|关注|预警)<', html)
    # No data is “—” with 本期无数据, never 0%.
    assert 'title="本期无数据"' in html
    assert "第2版" in html and "更正物业管理科评价量" in html and "（已被更正）" in html
    assert '<svg class="trend"' in html and html.count("<polyline") == 0  # one period with data so far
    assert 'href="/api/v1/public/indicators?period=2026-10&amp;version=2"' in html
    assert 'href="/api/v1/public/indicators.csv?period=2026-10&amp;version=2"' in html
    assert "supervisor-" not in html and "<script" not in html


def test_the_trend_draws_the_published_periods_of_the_same_kind(client, published, app, session, depts):
    html = html_of(client.get("/public/2026-10"))
    # September has no ratings: its point is missing, October's is there, each with its tooltip.
    assert "<title>2026年10月 满意度得分" in html and "2026年9月 满意度得分" not in html
    assert "2026年9月：满意度得分 无数据" in html  # the chart's description says so in words


def test_sorting_on_the_server_without_javascript(client, published):
    html = html_of(client.get("/public/2026-10", query_string={"sort": "good_rate", "order": "asc"}))
    assert 'aria-sort="ascending"' in html
    rows = department_rows(html)
    # Ascending good rate (3/4, 3/4, 1/1) with the department without ratings last.
    assert set(rows[:2]) == {"市住房和城乡建设局", "物业管理科"} and rows[2:] == ["物业管理科一组", "政务服务科"]
    link = re.search(r'href="([^"]*sort=good_rate[^"]*)"', html).group(1)
    assert "order=desc" in link  # pressing the sorted column again reverses it


def test_an_older_version_and_unknown_periods(client, published, session):
    html = html_of(client.get("/public/2026-10", query_string={"version": 1}))
    assert "第1版" in html and 'aria-current="page"' in html
    for path in ("/public/2026-11", "/public/2026-08", "/public/nonsense", "/public/2026-10?version=9"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html", path
        assert "12345" in response.get_data(as_text=True)


def test_nothing_published_yet(client, depts):
    html = html_of(client.get("/public/"))
    assert "暂无已公示的统计周期" in html


def test_the_index_says_final_once_the_appeal_window_has_passed(client, published, session):
    session.execute(Publication.__table__.update().values(appeal_deadline=utcnow() - timedelta(seconds=1)))
    session.commit()
    html = html_of(client.get("/public/"))
    assert "已确认" in html
