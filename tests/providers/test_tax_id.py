"""A provider organization's tax id (the TIN of DOMAIN 11's Outreach Tracker File): an EIN as
people write it, stored as its 9 digits."""

import pytest

from providers.models import ProviderOrganization

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def admin_api(admin_a, make_api_client):
    return make_api_client(admin_a)


def organization(api, tax_id, npi="1234567893"):
    return api.post(
        "/api/v1/provider-organizations/",
        {
            "npi": npi,
            "tax_id": tax_id,
            "name": "Eastside Clinic",
            "organization_type": "fqhc",
            "enrollment_pathway": "state_medi_cal",
            "counties": ["01"],
        },
        format="json",
    )


def test_a_hyphenated_ein_is_accepted_and_stored_as_its_digits(admin_api):
    """DOMAIN 11: 12-3456789 is the EIN 123456789."""
    response = organization(admin_api, " 12-3456789 ")
    assert response.status_code == 201, response.json()
    assert response.json()["tax_id"] == "123456789"
    assert ProviderOrganization.objects.get().tax_id == "123456789"


@pytest.mark.parametrize("tax_id", ["12-345678", "123-456789", "12--3456789", "1234567890", "12-34567a9"])
def test_anything_else_is_refused_naming_the_form(admin_api, tax_id):
    """DOMAIN 11: a TIN that is not 9 digits (with the EIN's one hyphen) is refused, not cut."""
    response = organization(admin_api, tax_id)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error == {
        "code": "invalid_tin",
        "detail": "A tax id (EIN) is 9 digits, e.g. 12-3456789 or 123456789.",
        "attr": "tax_id",
    }
    assert not ProviderOrganization.objects.exists()
