"""Isolation specs for the catalogue (merged into test_isolation.py's specs). The catalogue is
reference data shared by every plan (DOMAIN 9; no plan column): the isolation point is only that
every plan role may read it and that nothing plan-owned shows on it (plan A's marker never appears
to plan B). Provider staff may read the pages too (staff_page): PROVIDER_STAFF_PAGES lists them for
test_provider_isolation.py, which otherwise expects plan pages to refuse provider staff. The API is
the plan API: provider keys are refused like every plan route."""

from tests.isolation.harness import Call

PAGE_SPECS: dict = {
    "catalogue": [Call("get", "/catalogue/")],
    "catalogue-service": [Call("get", "/catalogue/ecm/"), Call("get", "/catalogue/transitional-rent/")],
}
API_SPECS: dict = {
    ("GET", "/api/v1/catalogue/services/"): [Call("get", "/api/v1/catalogue/services/")],
    ("GET", "/api/v1/catalogue/services/{code}/"): [
        Call("get", "/api/v1/catalogue/services/ecm/"),
        Call("get", "/api/v1/catalogue/services/recuperative-care/"),
    ],
}
PROVIDER_STAFF_PAGES = {call.url for calls in PAGE_SPECS.values() for call in calls}
