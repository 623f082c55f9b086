"""Isolation specs for the pages of the actions that were API-only (merged into test_isolation.py's
specs): assignments, member-requested changes, contracts, care managers, appeals and grievances.
Every write names plan A's objects in its URL, so each must be refused (404, or 403 by role)."""

from tests.isolation.harness import Call

RESOLVE = {"summary": "x", "confirmed": "yes"}
# A keyset page value (open, due 2000-01-01, id 0): the rows after it, which are still only the plan's.
PAST_THE_START = "W2ZhbHNlLCIyMDAwLTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwwXQ"

PAGE_SPECS: dict = {
    "assignment-detail": [Call("get", "/providers/assignments/{assignment}/", foreign=True)],
    "assignment-lead-care-manager": [
        Call(
            "post",
            "/providers/assignments/{assignment}/lead-care-manager/",
            foreign=True,
            data={"care_manager": "{care_manager}"},
        )
    ],
    "assignment-override": [
        Call(
            "post",
            "/providers/assignments/{assignment}/override/",
            foreign=True,
            data={"organization": "{organization}", "reason": "x", "confirmed": "yes"},
        )
    ],
    "change-request-new": [
        Call(
            "post",
            "/providers/assignments/{assignment}/change/",
            foreign=True,
            data={"organization": "{organization}", "requested_on": "2026-11-23"},
        )
    ],
    "awaiting-list": [Call("get", "/providers/awaiting/")],
    "awaiting-assign": [Call("post", "/providers/awaiting/{awaiting}/assign/", foreign=True, data={"reason": "x"})],
    "change-request-list": [
        Call("get", "/providers/changes/"),
        Call("get", f"/providers/changes/?before={PAST_THE_START}"),
    ],
    "change-request-implement": [Call("post", "/providers/changes/{change_request}/implement/", foreign=True)],
    "contract-activate": [
        Call("get", "/providers/contracts/{contract}/activate/", foreign=True),
        Call("post", "/providers/contracts/{contract}/activate/", foreign=True, data={"activated_on": "2026-11-20"}),
    ],
    "contract-edit": [
        Call("get", "/providers/contracts/{contract}/edit/", foreign=True),
        Call(
            "post",
            "/providers/contracts/{contract}/edit/",
            foreign=True,
            data={"counties": "1", "pofs": "1", "capacity": "1"},
        ),
    ],
    "contract-end": [
        Call("get", "/providers/contracts/{contract}/end/", foreign=True),
        Call("post", "/providers/contracts/{contract}/end/", foreign=True, data={"end_date": "2026-11-30"}),
        Call(
            "post",
            "/providers/contracts/{contract}/end/",
            foreign=True,
            data={"end_date": "2026-11-30", "confirmed": "yes"},
        ),
    ],
    "care-manager-new": [
        Call("get", "/providers/{organization}/care-managers/new/", foreign=True),
        Call("post", "/providers/{organization}/care-managers/new/", foreign=True, data={"name": "x"}),
    ],
    "appeal-list": [Call("get", "/appeals/"), Call("get", f"/appeals/?before={PAST_THE_START}")],
    "appeal-new": [
        Call("get", "/appeals/new/?notice={notice}", foreign=True),
        Call("post", "/appeals/new/?notice={notice}", foreign=True, data={"reason": "x"}),
    ],
    "appeal-detail": [Call("get", "/appeals/{appeal}/", foreign=True)],
    "appeal-acknowledge": [Call("post", "/appeals/{appeal}/acknowledge/", foreign=True)],
    "appeal-resolve": [
        Call("post", "/appeals/{appeal}/resolve/", foreign=True, data={"outcome": "overturned"} | RESOLVE)
    ],
    "grievance-list": [Call("get", "/grievances/")],
    "grievance-new": [
        Call("get", "/grievances/new/?member={member}", foreign=True),
        Call("post", "/grievances/new/?member={member}&request={request}", foreign=True, data={"description": "x"}),
    ],
    "grievance-detail": [Call("get", "/grievances/{grievance}/", foreign=True)],
    "grievance-acknowledge": [Call("post", "/grievances/{grievance}/acknowledge/", foreign=True)],
    "grievance-resolve": [
        Call("post", "/grievances/{grievance}/resolve/", foreign=True, data={"outcome": "resolved"} | RESOLVE)
    ],
}
