"""Provider staff's page of their Community Supports authorizations (DOMAIN 9): the requests whose
member a contracting plan placed with their organization, the plan on each. The request runs in the
scope of the principal's contracting plans (providers.middleware); the selector filters by
organization too, so another provider's requests never show."""

from django.shortcuts import render

from authorizations.selectors import community_supports_of_provider
from ecm_platform.audit.services import phi_read_record
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import provider_page


@provider_page(Capability.PROVIDER_REQUESTS_READ)
def provider_authorizations(request):
    """Newest first, a page at a time; every member shown is in the PHI access log."""
    page = keyset_page(community_supports_of_provider(principal=request.principal), request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in page.rows])
    return render(request, "authorizations/provider_authorizations.html", {"page": page})
