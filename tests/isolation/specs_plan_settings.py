"""Isolation specs for the plan settings pages and API (merged into test_isolation.py's specs):
a plan B user may change at most plan B's settings; only a closure day names a plan A object."""

from tests.isolation.harness import Call

CONTACT = {"member_services_phone": "1-800-555-0177", "appeals_address": "Bravo Appeals\nPO Box 7\nFresno, CA 93721"}
POF_START = {"county": "01", "pof": "HOMELESS", "start_date": "2021-06-01"}

PAGE_SPECS: dict = {
    "settings-index": [Call("get", "/settings/")],
    "settings-letters": [Call("get", "/settings/letters/"), Call("post", "/settings/letters/", data=CONTACT)],
    "settings-authorizations": [
        Call("get", "/settings/authorizations/"),
        Call("post", "/settings/authorizations/", data={"presumptive_period_days": "21"}),
    ],
    "settings-assignment": [
        Call("get", "/settings/assignment/"),
        Call("post", "/settings/assignment/", data={"pcp_before_behavioral_health": "on"}),
    ],
    "settings-pof-starts": [
        Call("get", "/settings/pof-starts/"),
        Call("post", "/settings/pof-starts/", data=POF_START),
    ],
    "settings-holidays": [
        Call("get", "/settings/holidays/?year=2026"),
        Call("post", "/settings/holidays/", data={"date": "2026-10-13", "name": "B closure"}),
    ],
    "settings-holiday-remove": [Call("post", "/settings/holidays/{holiday}/remove/", foreign=True)],
}

API_SPECS: dict = {
    ("GET", "/api/v1/settings/contact/"): [Call("get", "/api/v1/settings/contact/")],
    ("PATCH", "/api/v1/settings/contact/"): [Call("patch", "/api/v1/settings/contact/", data=CONTACT)],
    ("GET", "/api/v1/settings/authorizations/"): [Call("get", "/api/v1/settings/authorizations/")],
    ("PATCH", "/api/v1/settings/authorizations/"): [
        Call("patch", "/api/v1/settings/authorizations/", data={"presumptive_period_days": 21})
    ],
    ("GET", "/api/v1/settings/assignment/"): [Call("get", "/api/v1/settings/assignment/")],
    ("PATCH", "/api/v1/settings/assignment/"): [
        Call("patch", "/api/v1/settings/assignment/", data={"pcp_before_behavioral_health": True})
    ],
    ("GET", "/api/v1/settings/pof-starts/"): [Call("get", "/api/v1/settings/pof-starts/")],
    ("POST", "/api/v1/settings/pof-starts/"): [Call("post", "/api/v1/settings/pof-starts/", data=POF_START)],
}
