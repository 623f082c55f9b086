from celery import shared_task

from ecm_platform.jobs.services import import_jobs_sweep


@shared_task
def import_jobs_sweep_task() -> dict:
    """Every minute: a job whose worker stopped never blocks the next import (services.py)."""
    return import_jobs_sweep()
