"""The encounters tests' world: plan A contracts Bayside for ECM and Harbor for respite and
recuperative care (DOMAIN 7, 9); one member enrolled since 2020. Rows made through the services."""

from datetime import date
from types import SimpleNamespace

from benefits.models import CatalogueService
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import PopulationOfFocus
from providers.services import contract_create
from tests.factories import activated, enrolled_member
from tests.providers.test_assignments import NPIS, contract, organization

BAYSIDE_NPI, HARBOR_NPI, UNCONTRACTED_NPI = NPIS[0], NPIS[1], NPIS[2]
HEADER = (
    "Provider NPI,Invoice Number,Line Number,Member CIN,Service Date From,Service Date To,HCPCS Code,"
    "Modifier 1,Modifier 2,Modifier 3,Modifier 4,Units,Billed Amount,Place of Service,Notes"
)


def encounter_world(plan, make_membership):
    bayside, harbor = organization(plan, 0), organization(plan, 1)
    organization(plan, 2)  # known to the directory, never contracted by plan A
    contract(plan, bayside)
    services = [CatalogueService.objects.get(code=code) for code in ("respite", "recuperative-care")]
    activated(
        contract_create(
            plan=plan, actor=OPERATOR, organization=harbor, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": service, "capacity": 5} for service in services], start_date=date(2025, 1, 1),
        )
    )  # fmt: skip
    return SimpleNamespace(
        plan=plan,
        bayside=bayside,
        harbor=harbor,
        member=enrolled_member(plan, cin="91234567A"),
        coordinator=make_membership(plan, Role.CARE_COORDINATOR).user,
        analyst=make_membership(plan, Role.REPORTING_ANALYST).user,
    )


def line(**fields) -> dict:
    """An in-person clinical ECM encounter at Bayside on 2026-11-02, with `fields` changed."""
    return {
        "provider_npi": BAYSIDE_NPI, "invoice_number": "INV-1", "line_number": "1", "member_cin": "91234567A",
        "service_from": "2026-11-02", "service_to": "", "hcpcs": "G9008", "modifier_1": "U1", "modifier_2": "",
        "modifier_3": "", "modifier_4": "", "units": "1", "amount": "120.00", "place_of_service": "12", "notes": "",
    } | fields  # fmt: skip


def rows(*lines) -> list[tuple[int, dict]]:
    return list(enumerate(lines, start=1))


def csv_of(*lines, header: str = HEADER) -> bytes:
    fields = list(line())
    body = "".join(",".join(str(one.get(field, "")) for field in fields) + "\n" for one in lines)
    return f"{header}\n{body}".encode()
