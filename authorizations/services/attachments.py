"""Documents attached to a request."""

from django.db import transaction

from authorizations.models import (
    AuthorizationRequest,
    RequestAttachment,
)
from ecm_platform import clocks, uploads
from ecm_platform.audit.services import audit_record
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan


@transaction.atomic
def attachment_add(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, name: str, content_type: str, content: bytes
) -> RequestAttachment:
    require(actor, Capability.ATTACHMENTS_ADD, plan=plan)
    require_same_plan(plan, request)
    stored_type = uploads.document_type(name=name, declared_type=content_type, content=content)
    attachment = RequestAttachment.objects.create(
        plan=plan,
        request=request,
        name=name[:200],
        content_type=stored_type,
        content=content,
        uploaded_by=actor_user(actor),
        uploaded_at=clocks.now(),
    )
    audit_record(
        code="authorizations.attachment.added", plan=plan, actor=actor, target=attachment,
        payload={"request": request.pk, "name": attachment.name, "bytes": len(content)},
    )  # fmt: skip
    return attachment
