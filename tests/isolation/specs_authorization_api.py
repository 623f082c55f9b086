"""Isolation specs for the authorizations app (merged into test_isolation.py's specs).

Plan A objects available in URLs and data: {request} (in review, with an attachment {attachment}),
{denied_request} (denied, with its denial {notice} and an {appeal}), {grievance}, {member}.
"""

from tests.isolation.harness import Call

REQUEST = "/api/v1/authorizations/{request}"
TRANSITION = {
    "start-review": {},
    "extend": {"days": 7, "reason": "More information"},
    "resume": {},
    "approve": {"decision": "full"},
    "deny": {"reason": "no_pof", "explanation": "Stolen"},
    "withdraw": {"reason": "duplicate"},
    "start-services": {},
    "assign-service-provider": {},
    "propose-discontinuation": {"reason": "goals_met", "proposed_by": "plan"},
    "discontinue": {"reason": "goals_met", "effective_on": "2030-01-01"},
    "reassessed": {"reassessed_on": "2026-11-01"},
}

SPECS: dict = {
    ("GET", "/api/v1/authorizations/"): [
        Call("get", "/api/v1/authorizations/", lists="request"),
        Call("get", "/api/v1/authorizations/?member={member}&is_open=true"),
    ],
    ("POST", "/api/v1/authorizations/"): [
        Call("post", "/api/v1/authorizations/", data={"member": "{member}", "source": "self_referral"})
    ],
    ("GET", "/api/v1/authorizations/{id}/"): [Call("get", f"{REQUEST}/", foreign=True)],
    ("GET", "/api/v1/authorizations/{id}/history/"): [Call("get", f"{REQUEST}/history/", foreign=True)],
    ("POST", "/api/v1/authorizations/{id}/attachments/"): [
        Call("post", f"{REQUEST}/attachments/", foreign=True, upload=True)
    ],
    **{
        ("POST", f"/api/v1/authorizations/{{id}}/{verb}/"): [
            Call("post", f"{REQUEST}/{verb}/", foreign=True, data=data)
        ]
        for verb, data in TRANSITION.items()
    },
    ("GET", "/api/v1/notices/"): [
        Call("get", "/api/v1/notices/", lists="notice"),
        Call("get", "/api/v1/notices/?member={member}&request={denied_request}"),
    ],
    ("GET", "/api/v1/notices/{id}/"): [Call("get", "/api/v1/notices/{notice}/", foreign=True)],
    ("GET", "/api/v1/notices/{id}/pdf/"): [Call("get", "/api/v1/notices/{notice}/pdf/", foreign=True)],
    ("GET", "/api/v1/appeals/"): [
        Call("get", "/api/v1/appeals/", lists="appeal"),
        Call("get", "/api/v1/appeals/?member={member}&is_resolved=false"),
    ],
    ("POST", "/api/v1/appeals/"): [Call("post", "/api/v1/appeals/", data={"notice": "{notice}", "reason": "Stolen"})],
    ("GET", "/api/v1/appeals/{id}/"): [Call("get", "/api/v1/appeals/{appeal}/", foreign=True)],
    ("POST", "/api/v1/appeals/{id}/acknowledge/"): [
        Call("post", "/api/v1/appeals/{appeal}/acknowledge/", foreign=True)
    ],
    ("POST", "/api/v1/appeals/{id}/resolve/"): [
        Call(
            "post",
            "/api/v1/appeals/{appeal}/resolve/",
            foreign=True,
            data={"outcome": "overturned", "summary": "Stolen"},
        )
    ],
    ("GET", "/api/v1/grievances/"): [
        Call("get", "/api/v1/grievances/", lists="grievance"),
        Call("get", "/api/v1/grievances/?member={member}"),
    ],
    ("POST", "/api/v1/grievances/"): [
        Call(
            "post",
            "/api/v1/grievances/",
            data={"member": "{member}", "description": "Stolen", "request": "{denied_request}"},
        )
    ],
    ("GET", "/api/v1/grievances/{id}/"): [Call("get", "/api/v1/grievances/{grievance}/", foreign=True)],
    ("POST", "/api/v1/grievances/{id}/acknowledge/"): [
        Call("post", "/api/v1/grievances/{grievance}/acknowledge/", foreign=True)
    ],
    ("POST", "/api/v1/grievances/{id}/resolve/"): [
        Call(
            "post",
            "/api/v1/grievances/{grievance}/resolve/",
            foreign=True,
            data={"outcome": "resolved", "summary": "Stolen"},
        )
    ],
    # CINs are looked up in the caller's plan only: plan B has a member with plan A's member's CIN
    # (PLAN_A_CIN), so the import may succeed for plan B's member while plan A stays unchanged.
    ("POST", "/api/v1/transition-imports/"): [
        Call(
            "post",
            "/api/v1/transition-imports/",
            data={"rows": [{"cin": "91111111A", "program": "wpc", "transition_date": "2026-01-01"}]},
        )
    ],
}
