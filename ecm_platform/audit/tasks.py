from celery import shared_task

from ecm_platform.audit.services import phi_access_partitions_ensure, phi_access_retention_apply


@shared_task
def phi_access_partitions() -> list[str]:
    """Daily: the PHI access log's coming months have their partitions (idempotent). Returns the
    partitions it created."""
    return phi_access_partitions_ensure().created


@shared_task
def phi_access_retention() -> list[str]:
    """Daily: the PHI access log's months past six years are dropped, audited in each plan
    (idempotent: a month goes once). Returns the partitions it dropped."""
    return [month.partition for month in phi_access_retention_apply(dry_run=False)]
