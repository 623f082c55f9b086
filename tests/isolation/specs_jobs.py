"""Isolation specs for background imports (merged into test_isolation.py's specs): a plan B user
never sees plan A's import job on its page or through the API (404); provider staff are refused
both (test_provider_isolation.py runs every plan route).

Plan A object: {import_job}, a failed transition-list import whose source name and row error carry
the plan's marker.
"""

from ecm_platform import clocks
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.access import Capability
from tests.isolation.harness import Call

PAGE_SPECS: dict = {
    "import-job": [Call("get", "/jobs/{import_job}/", foreign=True)],
    # The upload starts a job in the user's own plan; a list naming plan A's members imports none of
    # them (tests/authorizations/test_transition_upload_page.py).
    "transition-upload": [
        Call("get", "/authorizations/transition-list/"),
        Call("post", "/authorizations/transition-list/", upload=True),
    ],
}
API_SPECS: dict = {
    ("GET", "/api/v1/import-jobs/{id}/"): [Call("get", "/api/v1/import-jobs/{import_job}/", foreign=True)]
}


def jobs_world(plan, name):
    ImportJob.objects.create(
        plan=plan, kind="authorizations.transition_list", capability=Capability.TRANSITIONS_IMPORT.value,
        task_name="authorizations.tasks.transition_list_import_task", content=b"[]", state=JobState.FAILED,
        source_name=f"{name} transition list", created_at=clocks.now(),
        report={"errors": [{"row": 1, "field": "cin", "message": f"{name} member unknown"}]},
    )  # fmt: skip
