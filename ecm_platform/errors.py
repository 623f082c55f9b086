"""Typed domain errors raised by services and mapped to HTTP in one place (the API handler)."""


class DomainError(Exception):
    """A rule refused the action. `field` names the input at fault, when there is one."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class ConflictError(DomainError):
    """Someone else changed the object first (optimistic concurrency), or holds what the action
    needs; `facts` are ids the caller can act on (the job already running), sent beside the error."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, facts: dict | None = None):
        super().__init__(message, field=field, code=code)
        self.facts = facts or {}


class CrossPlanReference(DomainError):
    """A write tried to link rows of two different plans."""

    default_code = "cross_plan_reference"


class ActionNotPermitted(DomainError):
    """The actor's role may not take this action (a lifecycle transition's permission)."""

    status_code = 403
    default_code = "permission_denied"
