"""Isolation specs for the quarter's referral and encounter measures (issue 18), merged into
test_isolation.py's specs: figures of the caller's plan only (tests/reporting/test_loop_measures.py
shows another plan's figures are its own); no member is named, so plan A's marker never shows."""

from tests.isolation.harness import Call

QUARTER = "year=2026&quarter=4"

PAGE_SPECS: dict = {
    "loop-measures": [
        Call("get", "/reporting/referrals-encounters/"),
        Call("get", f"/reporting/referrals-encounters/?{QUARTER}"),
    ]
}
API_SPECS: dict = {
    ("GET", "/api/v1/reporting/referrals-encounters/"): [
        Call("get", f"/api/v1/reporting/referrals-encounters/?{QUARTER}")
    ]
}
