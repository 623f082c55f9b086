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
    """Someone else changed the object first (optimistic concurrency)."""

    status_code = 409
    default_code = "conflict"


class CrossPlanReference(DomainError):
    """A write tried to link rows of two different plans."""

    default_code = "cross_plan_reference"


class ActionNotPermitted(DomainError):
    """The actor's role may not take this action (a lifecycle transition's permission)."""

    status_code = 403
    default_code = "permission_denied"
