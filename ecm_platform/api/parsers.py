"""The API's request body parsers: bounded in size and in nesting, failing in the API's error shape.

- JSON and form bodies are read up to `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes, or the view's
  `max_body_bytes` where it declares one (a bulk endpoint whose documented request is larger). The
  parsers read the request stream themselves: DRF hands its own JSON and form parser classes (and
  their subclasses) `request.body`, whose check is Django's one installation-wide limit, so these
  wrap DRF's parsers instead of extending them.
- JSON nests at most `MAX_JSON_DEPTH` levels: the standard library parses by recursion, so a body
  of 100,000 `[` would otherwise raise `RecursionError` (an HTML 500).
- A multipart body (a document upload) may be `MAX_DOCUMENT_BYTES` plus the form limit; Django
  limits its non-file fields itself (`RequestDataTooBig`, mapped in ecm_platform.api.errors).
Every refusal is a 413 (`request_too_large`) or 400 (`parse_error`) naming the limit.
"""

import io

from django.conf import settings
from rest_framework import exceptions, parsers, status

from ecm_platform.uploads import MAX_DOCUMENT_BYTES

MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than the limit of {limit} bytes.")


def body_limit(parser_context) -> int:
    view = (parser_context or {}).get("view")
    return getattr(view, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _read_bounded(stream, limit: int) -> bytes:
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge(limit)
    return body


def _deeper_than(value, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (iteratively: no recursion)."""
    pending = [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            depth += 1
            if depth > limit:
                return True
            pending.extend((child, depth) for child in (value.values() if isinstance(value, dict) else value))
    return False


class JSONParser(parsers.BaseParser):
    media_type = parsers.JSONParser.media_type
    renderer_class = parsers.JSONParser.renderer_class

    def parse(self, stream, media_type=None, parser_context=None):
        body = _read_bounded(stream, body_limit(parser_context))
        too_deep = exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = parsers.JSONParser().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data


class FormParser(parsers.BaseParser):
    media_type = parsers.FormParser.media_type

    def parse(self, stream, media_type=None, parser_context=None):
        body = _read_bounded(stream, body_limit(parser_context))
        return parsers.FormParser().parse(io.BytesIO(body), media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = MAX_DOCUMENT_BYTES + body_limit(parser_context)
        try:
            length = int(parser_context["request"].META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise RequestTooLarge(limit)
        return super().parse(stream, media_type, parser_context)
