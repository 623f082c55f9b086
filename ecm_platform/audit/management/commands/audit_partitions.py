from django.core.management.base import BaseCommand
from django.db import connection

from ecm_platform.audit import partitions
from ecm_platform.audit.services import phi_access_partitions_ensure, phi_access_retention_apply


class Command(BaseCommand):
    help = (
        "The PHI access log's monthly partitions on PostgreSQL: create this month and the next "
        f"{partitions.MONTHS_AHEAD} (the daily job, by hand), or with --retention detach and drop the months "
        f"older than {partitions.RETENTION_YEARS} years, audited in each plan (both daily beat jobs, by hand)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retention", action="store_true", help="Drop the months past the retention.")
        parser.add_argument("--dry-run", action="store_true", help="With --retention: only list them.")

    def handle(self, *args, retention, dry_run, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite: the PHI access log is one table here, without partitions or retention.")
            return
        if not retention:
            ensured = phi_access_partitions_ensure()
            self.stdout.write(f"Created {len(ensured.created)} partitions: {', '.join(ensured.created) or 'none'}.")
            for name, rows in ensured.moved_from_default.items():
                self.stdout.write(f"  {name}: {rows} rows of its month moved out of the DEFAULT partition.")
            return
        expired = phi_access_retention_apply(dry_run=dry_run)
        verb = "Would drop" if dry_run else "Dropped"
        cutoff = partitions.retention_cutoff()
        self.stdout.write(f"{verb} {len(expired)} partitions before {cutoff:%Y-%m}.")
        for month in expired:
            self.stdout.write(f"  {month.partition}: {sum(month.rows_by_plan.values())} rows")
