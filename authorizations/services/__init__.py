"""Every write on authorizations (DOMAIN 5 and 6), one module per use case: one function per action,
in a transaction, tenant-checked, audited. Callers import the actions from here."""

from authorizations.services.appeal_outcomes import request_overturn
from authorizations.services.appeals import (
    appeal_acknowledge,
    appeal_file,
    appeal_resolve,
    grievance_acknowledge,
    grievance_file,
    grievance_resolve,
)
from authorizations.services.attachments import attachment_add
from authorizations.services.community_supports import request_assign_service_provider
from authorizations.services.discontinuation import (
    discontinuations_take_effect,
    request_discontinue,
    request_discontinue_for_service_removal,
    request_propose_discontinuation,
)
from authorizations.services.left_plan import requests_end_for_members_left
from authorizations.services.lifecycle import (
    request_approve,
    request_deny,
    request_extend,
    request_resume,
    request_start_review,
    request_start_services,
    request_withdraw,
)
from authorizations.services.notices import notice_content, notice_issue, notice_pdf
from authorizations.services.requests import request_start_presumptive, request_submit
from authorizations.services.transition_list import (
    transition_import,
    transition_import_job,
    transition_import_start,
    transition_reassessment_record,
)

__all__ = [
    "appeal_acknowledge",
    "appeal_file",
    "appeal_resolve",
    "attachment_add",
    "discontinuations_take_effect",
    "grievance_acknowledge",
    "grievance_file",
    "grievance_resolve",
    "notice_content",
    "notice_issue",
    "notice_pdf",
    "request_approve",
    "request_assign_service_provider",
    "request_deny",
    "request_discontinue",
    "request_discontinue_for_service_removal",
    "request_extend",
    "request_overturn",
    "request_propose_discontinuation",
    "request_resume",
    "request_start_presumptive",
    "request_start_review",
    "request_start_services",
    "request_submit",
    "request_withdraw",
    "requests_end_for_members_left",
    "transition_import",
    "transition_import_job",
    "transition_import_start",
    "transition_reassessment_record",
]  # fmt: skip
