"""The rating pages (`/rate/{token}`), driven as a browser without JavaScript would: form POSTs,
303 redirects, pages. The browser tests (tests/browser) run the same flows in Chromium."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from service.models import Review, Ticket
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 10:00 in Shanghai


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def page(client, token, suffix=""):
    return client.get(f"/rate/{token}{suffix}")


def post(client, token, data, suffix=""):
    return client.post(f"/rate/{token}{suffix}", data=data)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_first_visit_shows_the_event_and_five_levels_best_first_none_chosen(client, register_event, now):
    event = register_event(department="ZJJ-A")
    response = page(client, event["rate_token"])
    html = text_of(response)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="zh-CN">' in html
    assert "物业专项维修资金使用审核" in html and "承办单位：物业管理科" in html and "办结：11月20日" in html
    labels = re.findall(r'name="level" value="(\d)"', html)
    assert labels == ["5", "4", "3", "2", "1"] and "checked" not in html
    # Without JavaScript every level's options are there, grouped under their level.
    assert html.count('class="options"') == 5 and "请至少" not in html
    assert "0</span>/2000" in html and "评价仅用于改进服务" in html
    assert "张三" not in html and "13800138000" not in html and event["event_no"] not in html


def test_pages_send_no_referrer_a_strict_csp_and_no_store(client, register_event, now):
    event = register_event()
    response = page(client, event["rate_token"])
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    html = text_of(response)
    # Nothing inline that the CSP would block, and nothing from another host.
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)


def test_a_bad_rating_without_javascript_post_redirect_thank_you(client, register_event, session, now):
    event = register_event(department="ZJJ-A")
    token = event["rate_token"]
    response = post(client, token, {"kind": "first", "channel": "mobile", "level": "2",
                                    "options": ["overdue", "shirking"], "text": "跑了三趟还没办好"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/rate/{token}/thanks")
    review = session.query(Review).one()
    assert (review.level, review.options, review.text, review.channel) == (
        2, ["overdue", "shirking"], "跑了三趟还没办好", "mobile")
    ticket = session.query(Ticket).one()  # the same follow-up work as the API: the ticket is opened
    thanks = text_of(page(client, token, "/thanks"))
    assert "感谢您的评价" in thanks and "我们已转交物业管理科整改" in thanks
    due = ticket.due_at - timedelta(microseconds=1)
    local = due.astimezone(timezone(timedelta(hours=8)))
    assert f"{local.month}月{local.day}日</strong>前答复您" in thanks


def test_a_good_rating_thanks_and_offers_the_follow_up(client, register_event, now):
    token = register_event()["rate_token"]
    assert post(client, token, {"kind": "first", "level": "5", "options": ["efficient"]}).status_code == 303
    thanks = text_of(page(client, token, "/thanks"))
    assert "感谢您的评价" in thanks and "整改" not in thanks and "12月10日前可通过此链接追评一次" in thanks
    later = text_of(page(client, token))
    assert "您的评价" in later and "非常满意" in later and "办事效率高" in later
    assert "追加评价（12月10日前可追评一次）" in later


def test_mistakes_come_back_next_to_the_field_with_what_was_typed(client, register_event, session, now):
    token = register_event()["rate_token"]
    response = post(client, token, {"kind": "first", "level": "1", "text": "我写的话<b>"})
    html = text_of(response)
    assert response.status_code == 422 and "请至少选择一项差评原因" in html
    assert "我写的话&lt;b&gt;" in html and 'value="1" checked' in html
    response = post(client, token, {"kind": "first", "text": "没选等级"})
    assert response.status_code == 422 and "请选择评价等级" in text_of(response)
    response = post(client, token, {"kind": "first", "level": "5", "options": ["overdue"]})
    assert response.status_code == 422 and "所选内容与评价等级不符" in text_of(response)
    response = post(client, token, {"kind": "first", "level": "4", "text": "字" * 2001})
    assert response.status_code == 422 and "文字评价不能超过 2000 字" in text_of(response)
    assert session.query(Review).count() == 0


def test_a_second_rating_is_409_and_an_unknown_link_404_both_in_chinese(client, register_event, now):
    token = register_event()["rate_token"]
    assert post(client, token, {"kind": "first", "level": "4"}).status_code == 303
    again = post(client, token, {"kind": "first", "level": "1", "options": ["overdue"]})
    assert again.status_code == 409 and "该办件已评价" in text_of(again) and "12345" in text_of(again)
    for response in (page(client, "not-a-token"), post(client, "not-a-token", {"level": "5"}),
                     page(client, "not-a-token", "/qrcode.svg")):
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "评价链接无效" in text_of(response) and "12345" in text_of(response)
        assert "Traceback" not in text_of(response)


def test_a_link_past_its_rating_window_with_nothing_left_is_410(client, intake_token, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = {"event_no": "OLD-1", "department_code": "ZJJ-A", "item_name": "不动产登记", "channel": "window",
            "completed_at": (NOW - timedelta(days=91)).isoformat()}
    token = client.post("/api/v1/service-events", json=body, headers=bearer(intake_token)).get_json()["rate_token"]
    for response in (page(client, token), post(client, token, {"kind": "first", "level": "5"})):
        assert response.status_code == 410 and "评价期限已过" in text_of(response)
        assert "12345" in text_of(response)


def test_the_reply_and_the_citizens_unsatisfied_confirmation(client, register_event, make_token, session, now):
    token = register_event(department="ZJJ-A")["rate_token"]
    post(client, token, {"kind": "first", "level": "1", "options": ["bad_attitude"]})
    ticket = session.query(Ticket).one()
    staff = make_token("dept_staff", "ZJJ-A")
    for action in ({"action": "sign"}, {"action": "reply", "resolution": "scheduled", "content": "已约谈窗口人员"}):
        client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action, headers=bearer(staff))
    html = text_of(page(client, token))
    assert "物业管理科的答复" in html and "限期整改" in html and "已约谈窗口人员" in html
    assert 'value="yes">满意' in html and 'value="no">不满意' in html
    response = post(client, token, {"satisfied": "no", "reason": "态度仍然不好"}, "/confirm")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/rate/{token}#ticket")
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.status == "handling" and ticket.reopen_count == 1
    html = text_of(page(client, token))
    assert "已退回物业管理科重新办理，新的答复期限为" in html and "满意</button>" not in html
    # Nothing to confirm now: a second press is a clear 409 page, not a stack trace.
    again = post(client, token, {"satisfied": "yes"}, "/confirm")
    assert again.status_code == 409 and "当前没有需要您确认的答复" in text_of(again)


def test_a_satisfied_confirmation_closes_and_the_page_says_so(client, register_event, make_token, session, now):
    token = register_event(department="ZJJ-A")["rate_token"]
    post(client, token, {"kind": "first", "level": "2", "options": ["overdue"]})
    ticket = session.query(Ticket).one()
    staff = make_token("dept_staff", "ZJJ-A")
    for action in ({"action": "sign"}, {"action": "reply", "resolution": "immediate", "content": "已办结"}):
        client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action, headers=bearer(staff))
    assert post(client, token, {"satisfied": "maybe"}, "/confirm").status_code == 422
    assert post(client, token, {"satisfied": "yes"}, "/confirm").status_code == 303
    html = text_of(page(client, token))
    assert "您已确认对答复满意，该事项已办结" in html


def test_the_follow_up_from_the_page(client, register_event, session, now):
    token = register_event()["rate_token"]
    post(client, token, {"kind": "first", "level": "4"})
    response = post(client, token, {"kind": "follow_up", "level": "2", "text": "补充"})
    assert response.status_code == 422 and "请至少选择一项差评原因" in text_of(response)
    assert "<details class=\"follow-up\" open>" in text_of(response)
    assert post(client, token, {"kind": "follow_up", "level": "2", "options": ["overdue"]}).status_code == 303
    assert [r.seq for r in session.query(Review).order_by(Review.seq)] == [0, 1]
    html = text_of(page(client, token))
    assert "您的追评" in html and "追加评价" not in html
    assert post(client, token, {"kind": "follow_up", "level": "5"}).status_code == 409


def test_qr_codes_carry_the_link_with_the_qrcode_channel(client, register_event, app, now):
    token = register_event()["rate_token"]
    svg = page(client, token, "/qrcode.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = page(client, token, "/qrcode.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    response = client.get(f"/rate/{token}?c=qrcode")
    assert 'name="channel" value="qrcode"' in text_of(response)
    post(client, token, {"kind": "first", "level": "5", "channel": "qrcode"})
    from service.models import Review as R
    assert app.extensions["settings"].rate_base_url and R.query.one().channel == "qrcode"


def test_the_rating_page_is_small(client, register_event, now):
    """ui/issue 12: the rating page is at most 60 KB transferred (HTML + CSS + JS), uncompressed here."""
    html = page(client, register_event()["rate_token"])
    assets = re.findall(r'(?:href|src)="(/assets/[^"]+\.(?:css|js)\?v=\w+)"', text_of(html))
    assert len(assets) == 2
    total = len(html.data) + sum(len(client.get(url).data) for url in assets)
    assert total <= 60 * 1024, total


def test_real_name_is_offered_when_registered_so_and_may_be_declined(client, register_event, session, now):
    anonymous = register_event(real_name=False)["rate_token"]
    assert "实名评价" not in text_of(page(client, anonymous))
    registered = register_event(real_name=True)["rate_token"]
    html = text_of(page(client, registered))
    assert 'name="real_name" value="1" checked' in html and "实名评价（便于回访）" in html
    # Unticked: the box is not sent, the rating is anonymous (no verification callback is due).
    post(client, registered, {"kind": "first", "level": "1", "options": ["overdue"]})
    review = session.query(Review).one()
    assert review.real_name is False
    assert session.query(Ticket).one().verify_due_at is None
    kept = register_event(real_name=True)["rate_token"]
    post(client, kept, {"kind": "first", "level": "2", "options": ["overdue"], "real_name": "1"})
    assert session.query(Review).order_by(Review.id.desc()).first().real_name is True


def test_the_pages_are_rate_limited_like_the_citizen_api(_app, register_event, now):
    """The same limiter as the citizen API (service/api/ratelimit.py, group "citizen"; the 公示 pages
    group "public"), answered with a Chinese page."""
    from tests.conftest import make_app

    token = register_event()["rate_token"]
    limited = make_app(_app.extensions["settings"].database_url, rate_limit_enabled=True,
                       rate_limit_token="100/minute", rate_limit_address="2/minute",
                       rate_limit_public="2/minute").test_client()
    address = {"REMOTE_ADDR": "198.51.100.7"}
    statuses = [limited.get(f"/rate/{token}", environ_base=address).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert limited.get(f"/rate/{token}", environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 200
    for _ in range(2):
        assert limited.get("/public/", environ_base=address).status_code == 200  # a bucket of its own
    response = limited.get("/public/", environ_base=address)
    assert response.status_code == 429 and "访问过于频繁" in text_of(response)
    assert int(response.headers["Retry-After"]) >= 1 and response.mimetype == "text/html"
