from celery import shared_task

from ecm_platform.audit.services import phi_access_partitions_ensure


@shared_task
def phi_access_partitions() -> list[str]:
    """Daily: the PHI access log's coming months have their partitions (idempotent). Returns the
    partitions it created."""
    return phi_access_partitions_ensure().created
