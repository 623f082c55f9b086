"""The PHI access log is also the last check before member data leaves (ARCHITECTURE.md, Access):
a principal without a member read, or a member of a plan the principal does not act in, is refused
and nothing is recorded."""

import pytest

from ecm_platform.audit.models import PhiAccess
from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")  # reads are recorded inside the reader's plan scope


def logged():
    with across_plans(reason="test: the whole log"):
        return PhiAccess.objects.count()


def test_a_plan_reader_is_logged(plan_a, make_membership):
    member = enrolled_member(plan_a)
    phi_read_record(path="/members/1/", members=[member], membership=make_membership(plan_a, Role.REVIEWER))
    assert logged() == 1


def test_a_principal_without_a_member_read_is_refused(plan_a):
    job = Principal.system("a job that reads nothing", Capability.SCAN_RUN, plan=plan_a)
    with pytest.raises(ActionNotPermitted):
        phi_read_record(path="/x/", members=[enrolled_member(plan_a)], principal=job)
    assert logged() == 0


def test_a_member_of_another_plan_is_refused(plan_a, plan_b, make_membership):
    reviewer = make_membership(plan_a, Role.REVIEWER)
    with pytest.raises(ActionNotPermitted):
        phi_read_record(path="/x/", members=[enrolled_member(plan_a), enrolled_member(plan_b)], membership=reviewer)
    assert logged() == 0
