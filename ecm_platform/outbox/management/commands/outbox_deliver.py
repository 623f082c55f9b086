from django.core.management.base import BaseCommand

from ecm_platform.outbox.delivery import SWEEP_BATCH, outbox_deliver, outbox_pending_count


class Command(BaseCommand):
    help = "Publish the background work that a broker outage left pending (the sweeper, by hand)."

    def handle(self, *args, **options):
        total = 0
        while delivered := outbox_deliver(limit=SWEEP_BATCH):
            total += delivered
        self.stdout.write(f"Delivered {total}; {outbox_pending_count()} still pending.")
