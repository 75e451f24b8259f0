"""Loaded by `rq cron workers.cron_config`: registers every row of workers.schedule.SCHEDULE."""

import importlib

from rq import cron

from workers.schedule import SCHEDULE

for job in SCHEDULE:
    module_name, _, func_name = job.func.rpartition(".")
    func = getattr(importlib.import_module(module_name), func_name)
    timing = {"cron": job.cron} if job.cron else {"interval": job.interval_seconds}
    cron.register(func, job.queue, job_timeout=job.timeout, name=job.func, **timing)
