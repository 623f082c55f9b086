"""Isolation specs for the authorizations app (merged into test_isolation.py's specs).

Plan A objects available in URLs and data: {request} (in review, with an attachment {attachment}),
{denied_request} (denied, with its denial {notice} and an {appeal}), {grievance}, {member}.
"""

from tests.isolation.harness import Call

NEW_REQUEST = {"source": "self_referral", "urgency": "routine", "requester_name": "x", "pofs": "HIGH_UTILIZER"}


def _action(name: str, expected_status: str = "in_review", target: str = "{request}", **fields) -> Call:
    data = {"expected_status": expected_status} | {f"{name}-{field}": value for field, value in fields.items()}
    return Call("post", f"/authorizations/{target}/{name}/", foreign=True, data=data)


SPECS: dict = {
    "authorization-worklist": [
        Call("get", "/authorizations/"),
        Call("get", "/authorizations/?urgency=routine&county=01&pof=HIGH_UTILIZER&source=self_referral"),
    ],
    "reassessment-worklist": [Call("get", "/authorizations/reassessments/")],
    "awaiting-provider-worklist": [Call("get", "/authorizations/awaiting-provider/")],
    "member-authorizations": [Call("get", "/authorizations/members/{member}/", foreign=True)],
    "authorization-new": [
        Call("get", "/authorizations/new/?member={member}", foreign=True),
        Call("post", "/authorizations/new/?member={member}", foreign=True, data=NEW_REQUEST),
    ],
    "authorization-start": [Call("post", "/authorizations/start/{member}/", foreign=True)],
    "authorization-detail": [
        Call("get", "/authorizations/{request}/", foreign=True),
        Call("get", "/authorizations/{denied_request}/", foreign=True),
    ],
    "authorization-action": [
        _action("start_review", "received"),
        _action("extend", days="14", reason="x"),
        _action("resume", "deferred"),
        _action("approve", decision="full", discretionary_justification="x"),
        _action("deny", reason="no_pof", explanation="x"),
        _action("withdraw", reason="duplicate"),
        _action("start_services", "approved"),
        _action("assign_service_provider", "approved"),
        _action("propose_discontinuation", "active", reason="goals_met", proposed_by="plan"),
        _action("discontinue", "active", reason="goals_met", effective_on="2027-12-31"),
        _action("reassessed", "active", reassessed_on="2026-11-20"),
        _action("withdraw", "denied", target="{denied_request}", reason="duplicate"),
    ],
    "authorization-attachment-add": [Call("post", "/authorizations/{request}/attachments/", foreign=True, upload=True)],
    "authorization-attachment": [Call("get", "/authorizations/attachments/{attachment}/", foreign=True)],
    "notice-preview": [Call("get", "/authorizations/notices/{notice}/", foreign=True)],
    "notice-pdf": [Call("get", "/authorizations/notices/{notice}/pdf/", foreign=True)],
}
