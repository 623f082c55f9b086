"""What benefits tells the apps above it (benefits is below authorizations, ARCHITECTURE layering):
a signal is the only way down-to-up. Receivers call their own app's services explicitly."""

from django.dispatch import Signal

# Sent inside `election_remove`'s transaction once the election ends, with plan, election,
# removal_date (the first day no longer offered) and actor: the members holding that Community
# Support in the county, and their providers, are told (DOMAIN 9; FAQ 24, 32). A receiver that
# fails rolls the removal back: nothing is half-applied.
election_removed = Signal()
