"""Isolation specs for the provider API (merged into test_isolation.py's specs, and run for provider
roles by test_provider_isolation.py).

Objects in URLs: {member} (a member the caller's organization is not assigned), its {member_cin},
{request} (a request another organization, or the caller's in another plan, started presumptively),
{api_key} (a key of another organization, or another plan's key) and {provider_staff} (a login of
another organization).
"""

from tests.isolation.harness import Call

NEW_STAFF = {"username": "stolen", "email": "stolen@example.org", "password": "x-Stolen-2026!", "role": "care_manager"}

SPECS: dict = {
    ("GET", "/api/v1/provider/members/"): [
        Call("get", "/api/v1/provider/members/", lists="member"),
        Call("get", "/api/v1/provider/members/?plan=plan-a", lists="member"),
        Call("get", "/api/v1/provider/members/?plan=plan-b", lists="member"),
    ],
    ("GET", "/api/v1/provider/members/{id}/"): [Call("get", "/api/v1/provider/members/{member}/", foreign=True)],
    ("GET", "/api/v1/provider/assignments/"): [
        Call("get", "/api/v1/provider/assignments/", lists="assignment"),
        Call("get", "/api/v1/provider/assignments/?plan=plan-b", lists="assignment"),
    ],
    ("GET", "/api/v1/provider/staff/"): [Call("get", "/api/v1/provider/staff/")],
    ("POST", "/api/v1/provider/staff/"): [Call("post", "/api/v1/provider/staff/", data=NEW_STAFF)],
    ("POST", "/api/v1/provider/staff/{id}/deactivate/"): [
        Call("post", "/api/v1/provider/staff/{provider_staff}/deactivate/", foreign=True)
    ],
    # Plan B no longer contracts with the caller's organization (or never did, for plan staff).
    ("POST", "/api/v1/provider/presumptive-starts/"): [
        Call("post", "/api/v1/provider/presumptive-starts/", data={"plan": "plan-b", "cin": "{member_cin}"})
    ],
    ("POST", "/api/v1/provider/presumptive-starts/{id}/withdraw/"): [
        Call(
            "post",
            "/api/v1/provider/presumptive-starts/{request}/withdraw/",
            data={"reason": "member_declined"},
            foreign=True,
        )
    ],
    ("GET", "/api/v1/provider/decisions/"): [
        Call("get", "/api/v1/provider/decisions/"),
        Call("get", "/api/v1/provider/decisions/?plan=plan-b"),
    ],
    ("GET", "/api/v1/provider/api-keys/"): [Call("get", "/api/v1/provider/api-keys/")],
    ("POST", "/api/v1/provider/api-keys/"): [Call("post", "/api/v1/provider/api-keys/", data={"name": "stolen"})],
    ("GET", "/api/v1/provider/api-keys/{prefix}/"): [Call("get", "/api/v1/provider/api-keys/{api_key}/", foreign=True)],
    ("POST", "/api/v1/provider/api-keys/{prefix}/revoke/"): [
        Call("post", "/api/v1/provider/api-keys/{api_key}/revoke/", foreign=True)
    ],
}
