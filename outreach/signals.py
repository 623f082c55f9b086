"""What outreach tells the apps above it (they may not be imported from here)."""

from django.dispatch import Signal

# Sent inside the recording transaction with `plan` and `attempts` (saved, a list): an app above
# (encounters: unsuccessful attempts become U8 encounters) writes in the same transaction.
attempts_recorded = Signal()
