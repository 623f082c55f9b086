"""Work to start once a transaction commits, recorded in that transaction (the outbox)."""

from django.db import models


class OutboxMessage(models.Model):
    """One task to publish to the broker. Written with the change that asks for it, so a committed
    change always has its work recorded; published after the commit, or later by the sweeper while
    the broker is down.

    Not plan-owned: a row holds a task name and the ids the task takes (never member data), like
    the broker's own queue, so the sweeper delivers every plan's rows without crossing a scope.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweeper reads only the pending rows, oldest first.
            models.Index(fields=["id"], condition=models.Q(delivered_at__isnull=True), name="outbox_pending"),
            # The sweeper forgets delivered rows after a while.
            models.Index(fields=["delivered_at"], name="outbox_delivered"),
        ]

    def __str__(self):
        state = "delivered" if self.delivered_at else "pending"
        return f"{self.task_name} {self.kwargs} ({state})"
