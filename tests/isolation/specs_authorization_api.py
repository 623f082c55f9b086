"""Isolation specs for the authorizations app (merged into test_isolation.py's specs).

Plan A objects available in URLs and data: {request} (in review, with an attachment {attachment}),
{denied_request} (denied, with its denial {notice} and an {appeal}), {grievance}, {member}.
"""

from tests.isolation.harness import Call  # noqa: F401

SPECS: dict = {}
