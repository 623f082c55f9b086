"""The provider network's write use cases (DOMAIN 7), one module per use case; import them from here."""

from providers.services.assignments import (
    assignment_assign,
    assignment_request,
    awaiting_assign,
    candidates_on,
    receives_specialty_behavioral_health_on,
)
from providers.services.changes import assignment_override, provider_change_implement, provider_change_request
from providers.services.contracts import (
    contract_activate,
    contract_create,
    contract_end,
    contract_orientation_record,
    contract_update,
    contracts_end_due,
    vetting_check_record,
)
from providers.services.endings import assignment_end
from providers.services.follow_up import assignment_set_lead_care_manager, mark_communicated, mark_pcp_notified
from providers.services.organizations import care_manager_add, organization_create
from providers.services.service_assignments import (
    service_assignment_create,
    service_assignment_end,
    service_provider_for,
)
from providers.services.settings import assignment_settings_get, assignment_settings_set

__all__ = [
    "assignment_assign",
    "assignment_end",
    "assignment_override",
    "assignment_request",
    "assignment_set_lead_care_manager",
    "assignment_settings_get",
    "assignment_settings_set",
    "awaiting_assign",
    "candidates_on",
    "care_manager_add",
    "contract_activate",
    "contract_create",
    "contract_end",
    "contract_orientation_record",
    "contract_update",
    "contracts_end_due",
    "mark_communicated",
    "mark_pcp_notified",
    "organization_create",
    "provider_change_implement",
    "provider_change_request",
    "receives_specialty_behavioral_health_on",
    "service_assignment_create",
    "service_assignment_end",
    "service_provider_for",
    "vetting_check_record",
]
