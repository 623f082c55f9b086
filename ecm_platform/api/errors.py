"""One JSON error shape for the API; typed domain errors become field-level 400s (or 409s)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status

from ecm_platform.api.parsers import RequestTooLarge
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object was changed by someone else; reload and try again."
    default_code = "conflict"


class DomainAwareExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc):
        if isinstance(exc, RequestDataTooBig):  # Django's own check (multipart fields, request.body)
            return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exc, ConflictError):
            return Conflict(exc.message, code=exc.code)
        if isinstance(exc, ActionNotPermitted):
            return exceptions.PermissionDenied(exc.message, code=exc.code)
        if isinstance(exc, DomainError):
            detail = exceptions.ErrorDetail(exc.message, code=exc.code)
            return exceptions.ValidationError({exc.field: [detail]} if exc.field else [detail])
        return super().convert_known_exceptions(exc)

    def format_exception(self, exc):
        # A conflict's facts (the running job's id) go beside the errors, in the same body.
        return super().format_exception(exc) | getattr(self.exc, "facts", {})


def not_found(request, exception):
    """404 for a path no route matches: under /api/ in the API's one error shape, else the page."""
    if request.path.startswith("/api/"):
        body = {"type": "client_error", "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}]}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)
