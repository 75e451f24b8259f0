"""The human review queue: stored uncertainty vs running the model at query time.

Run: .venv/bin/python -m bench.nlp.queue [N]      (N classified reviews + N/4 cases, default 100000)
Result: bench/results/nlp_queue.json.

On a throwaway PostgreSQL (or BENCH_DATABASE_URL), migrated, it bulk-inserts N classified reviews
with text and a stored tag uncertainty and N/4 cases, then times `review_queue` (the domain call
behind GET /nlp/review-queue) for the first and a deep page, per source and for both. The other
design - ordering at query time - has to score every unlabelled text on each request: its cost
is N divided by the end-to-end classification rate of long letters that `bench.nlp.run` measures
(bench/results/nlp.json), printed beside for comparison.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from bench.common import RESULTS_DIR, migrate, services
from service.domain.accounts import Scope
from service.domain.accounts.departments import create_department, department_by_code

TEXT = "关于小区楼顶漏水的问题，尊敬的领导：我家住在顶楼，下雨天客厅就往下滴水，物业说要等维修资金审批。"


def fill(session, n: int) -> None:
    from service.models import HotlineCase, Review, ServiceEvent

    create_department(session, "Q", "测试单位", None, actor="bench")
    dept = department_by_code(session, "Q").id
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rng = random.Random(0)
    for start in range(0, n, 10_000):
        ids = range(start, min(n, start + 10_000))
        session.execute(insert(ServiceEvent), [
            {"event_no": f"Q-{i}", "department_id": dept, "item_name": "x", "channel": "window",
             "completed_at": now, "rate_token_hash": f"{i:064d}", "rate_token_expires_at": now + timedelta(days=90),
             "citizen_real_name": False, "body_fingerprint": "f", "created_at": now} for i in ids])
        session.execute(insert(Review), [
            {"service_event_id": i + 1, "department_id": dept, "seq": 0, "level": 2, "is_bad": True,
             "channel": "pc", "options": [], "options_version": "v", "text": TEXT, "is_default": False,
             "real_name": False, "created_at": now, "excluded": False, "mismatch": False,
             "tags": [], "human_tags": ["delay"] if i % 10 == 0 else None, "effective_tags": ",",
             "tag_uncertainty": round(rng.random(), 4), "model_version": "m", "classified_at": now,
             "classification_state": "done", "classification_attempts": 1, "ticket_state": "not_needed"}
            for i in ids])
        session.execute(insert(HotlineCase), [
            {"case_no": f"QC-{i}", "type": "complaint", "urgency": "normal", "content": TEXT,
             "department_id": dept, "co_department_codes": [], "caller_anonymous": False,
             "received_at": now, "status": "open", "body_fingerprint": "f", "created_at": now,
             "tags": [], "effective_tags": ",", "tag_uncertainty": round(rng.random(), 4),
             "model_version": "m", "classified_at": now, "classification_state": "done",
             "classification_attempts": 1} for i in ids if i % 4 == 0])
        session.commit()


def timed(fn, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with services() as svc:
        migrate(svc)
        from service.base import create_base_app
        from service.domain.classification import review_queue
        from service.extensions import db

        app = create_base_app({"database_url": svc.database_url, "redis_url": None})
        with app.app_context():
            fill(db.session, n)
            scope, out = Scope(), {"n_reviews": n, "n_cases": n // 4, "ms_median_of_5": {}}
            for source in ("review", "case", None):
                for page in (1, 50):
                    key = f"{source or 'both'} page {page} of 50"
                    out["ms_median_of_5"][key] = timed(lambda s=source, p=page: review_queue(
                        db.session, scope, s, p, 50))
    nlp = json.loads((RESULTS_DIR / "nlp.json").read_text(encoding="utf-8"))
    rate = nlp["runtime"]["speed"]["long"]["end_to_end_texts_per_s"]
    out["query_time_scoring_estimate_s"] = {
        "long_letters_per_s": rate, "unlabelled_texts": round(n * 0.9 + n // 4),
        "seconds_per_request": round((n * 0.9 + n // 4) / rate, 1)}
    out["loadavg_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    (RESULTS_DIR / "nlp_queue.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
