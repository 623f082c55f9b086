"""Isolation specs for the assignment lifecycle's API routes (DOMAIN 7), merged into
test_isolation.py's specs: contract edit and end, the awaiting-assignment worklist and assigning
later, vetting. Organizations are a shared directory; each plan's vetting of one is its own."""

from tests.isolation.harness import Call

SPECS: dict = {
    ("GET", "/api/v1/provider-organizations/{id}/vetting/"): [
        Call("get", "/api/v1/provider-organizations/{organization}/vetting/")
    ],
    ("POST", "/api/v1/provider-organizations/{id}/vetting-checks/"): [
        Call(
            "post",
            "/api/v1/provider-organizations/{organization}/vetting-checks/",
            data={"criterion": "Business licensing that meets industry standards", "met_on": "2026-01-05"},
        )
    ],
    ("PATCH", "/api/v1/contracts/{id}/"): [
        Call("patch", "/api/v1/contracts/{contract}/", foreign=True, data={"capacity": 50})
    ],
    ("POST", "/api/v1/contracts/{id}/end/"): [
        Call("post", "/api/v1/contracts/{contract}/end/", foreign=True, data={"end_date": "2026-11-20"})
    ],
    ("POST", "/api/v1/contracts/{id}/orientation/"): [
        Call("post", "/api/v1/contracts/{contract}/orientation/", foreign=True, data={"completed_on": "2026-11-20"})
    ],
    ("GET", "/api/v1/awaiting-assignments/"): [Call("get", "/api/v1/awaiting-assignments/", lists="awaiting")],
    ("GET", "/api/v1/awaiting-assignments/{id}/"): [
        Call("get", "/api/v1/awaiting-assignments/{awaiting}/", foreign=True)
    ],
    ("POST", "/api/v1/awaiting-assignments/{id}/assign/"): [
        Call(
            "post",
            "/api/v1/awaiting-assignments/{awaiting}/assign/",
            foreign=True,
            data={"organization": "{organization}"},
        )
    ],
}
