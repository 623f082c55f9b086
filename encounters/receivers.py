"""Outreach (a lower layer) tells this app of the attempts it recorded: the unsuccessful ones
become U8 encounters in the same transaction, so an attempt and its encounter commit together."""

from ecm_platform.tenancy.access import Capability, Principal
from encounters.services import outreach_encounters_record


def on_attempts_recorded(sender, *, plan, attempts, **kwargs) -> None:
    job = Principal.system("outreach-encounters", Capability.OUTREACH_ENCOUNTERS_RECORD, plan=plan)
    outreach_encounters_record(plan=plan, actor=job, attempts=attempts)
