"""`flask --app wsgi demo load`: a small 住建局 to click through. Safe to run again."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from service.domain import accounts, ratings
from service.domain.privacy import ContactCipher
from service.extensions import db
from service.models import Review, ServiceEvent, User
from service.models.types import utcnow

group = click.Group("demo", help="演示数据。")

DEPARTMENTS = [
    ("ZJJ", "市住房和城乡建设局", None),
    ("ZJJ-ZWFW", "政务服务科（行政审批窗口）", "ZJJ"),
    ("ZJJ-JZSC", "建筑市场监管科", "ZJJ"),
    ("ZJJ-FDC", "房地产市场监管科", "ZJJ"),
    ("ZJJ-WYGL", "物业管理科", "ZJJ"),
    ("ZJJ-ZLAQ", "建设工程质量安全监督站", "ZJJ"),
    ("ZJJ-RQ", "城镇燃气管理科", "ZJJ"),
    ("ZJJ-BDC", "不动产登记服务中心", "ZJJ"),
]
USERS = [
    ("demo-admin", "admin", None),
    ("demo-operator", "operator", None),
    ("demo-supervisor-1", "supervisor", None),
    ("demo-supervisor-2", "supervisor", None),
    ("demo-auditor", "auditor", None),
    ("demo-appraisal", "appraisal", None),
    ("demo-intake", "intake", None),
    ("demo-wygl-staff", "dept_staff", "ZJJ-WYGL"),
    ("demo-zwfw-staff", "dept_staff", "ZJJ-ZWFW"),
]
EVENTS = [
    ("DEMO-2026-0001", "ZJJ-ZWFW", "建筑工程施工许可证核发", "window", True),
    ("DEMO-2026-0002", "ZJJ-FDC", "商品房预售许可", "online", False),
    ("DEMO-2026-0003", "ZJJ-WYGL", "物业专项维修资金使用审核", "window", True),
    ("DEMO-2026-0004", "ZJJ-ZLAQ", "房屋建筑工程竣工验收备案", "online", False),
    ("DEMO-2026-0005", "ZJJ-BDC", "不动产登记", "window", True),
]


@group.command("load")
@with_appcontext
def load():
    session = db.session
    for code, name, parent in DEPARTMENTS:
        if accounts.department_by_code(session, code) is None:
            accounts.create_department(session, code, name, parent, actor="demo")
    click.echo("== API tokens (shown once; each run adds a fresh one, earlier ones stay valid until `flask users revoke NAME`) ==")
    for name, role, department in USERS:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            user, token = accounts.create_user(session, name, role, department)
        else:
            token = accounts.issue_token(session, user)
            session.commit()
        click.echo(f"{role:<11} {name:<20} {token}")
    settings = current_app.extensions["settings"]
    cipher = ContactCipher(settings.contact_key, settings.blind_index_key)
    intake = session.scalar(select(User).where(User.name == "demo-intake"))
    click.echo("== Service events and their rate tokens ==")
    for i, (event_no, department, item, channel, real_name) in enumerate(EVENTS):
        data = {
            "event_no": event_no, "department_code": department, "item_name": item,
            "channel": channel, "completed_at": (utcnow() - timedelta(days=1 + i)).replace(microsecond=0),
            "citizen": {"name": "张三", "phone": f"1380013{8000 + i}", "real_name": real_name},
        }
        existing = session.scalar(select(ServiceEvent).where(
            ServiceEvent.event_no == event_no))
        if existing is None:
            event = ratings.register_service_event(session, settings, cipher, intake, data, utcnow())[0]
        else:  # only the hash is stored: a demo run hands out fresh links, as a resend would
            event = ratings.rotate_rate_token(session, accounts.scope_for(intake), existing.id, intake, utcnow())
        rated = session.scalar(select(Review.id).where(Review.service_event_id == event.id, Review.seq == 0))
        state = "已评价（可追评）" if rated else "待评价"
        click.echo(f"{event.event_no}  {event.item_name:<16} {state}  {settings.rate_base_url}{event.rate_token}"
                   f"  rate_token={event.rate_token}")
