import importlib
import json
import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from workers.schedule import SCHEDULE

log = logging.getLogger(__name__)
group = click.Group("jobs", help="后台任务。")


def _run_one(job) -> None:
    module_name, _, func_name = job.func.rpartition(".")
    result = getattr(importlib.import_module(module_name), func_name)()
    click.echo(json.dumps({"job": job.func, "result": result}, ensure_ascii=False, default=str))


@group.command("run")
@click.argument("name", required=False)
@with_appcontext
def run(name):
    """Run one periodic job (or all of them) once, in this process."""
    for job in SCHEDULE:
        if not name or job.func.endswith(name):
            _run_one(job)


@group.command("scheduler")
@with_appcontext
def scheduler():
    """Embedded mode (no Redis): run the periodic jobs in this process on their intervals.

    With Redis, use `rq cron workers.cron_config` and `flask --app wsgi jobs worker` instead.
    """
    start = time.monotonic()
    # Interval jobs run at start; a job with a time of day (retrain) first after its interval.
    due = {job.func: start + job.interval_seconds if job.cron else start for job in SCHEDULE}
    while True:
        now = time.monotonic()
        for job in SCHEDULE:
            if now >= due[job.func]:
                try:
                    _run_one(job)
                except Exception:  # keep the loop alive; the next run retries
                    # Logged, not echoed: the log masks what an exception may quote (row values).
                    log.exception("periodic job %s failed", job.func)
                due[job.func] = now + job.interval_seconds
        time.sleep(1)


@group.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列后退出")
@click.option("--fork", is_flag=True, help="每个任务在子进程中执行（RQ 默认方式）")
@with_appcontext
def worker(burst, fork):
    """Start an RQ worker on every queue (tickets first), with jieba and the models loaded once;
    it runs RQ's scheduler and starts again by itself when Redis comes back."""
    # Imported here: rq and the nlp stack that preload loads belong to the worker process only.
    from workers import preload, supervisor

    queue = current_app.extensions["queue"]
    if queue.inline:
        raise click.ClickException("REDIS_URL 未配置：无 Redis 时任务在进程内执行，无需 worker。")
    preload.before_fork()
    supervisor.run(queue.redis_url, burst=burst, fork=fork)


@group.command("dispatcher")
@with_appcontext
def dispatcher():
    """Hand pending reviews and cases to RQ in batches (one job per batch), until SIGTERM."""
    from workers import dispatch

    if current_app.extensions["queue"].inline:
        raise click.ClickException("REDIS_URL 未配置：无 Redis 时任务在进程内执行，无需 dispatcher。")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    dispatch.run(current_app._get_current_object())
