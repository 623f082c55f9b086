"""Which routes exist, and which the isolation harness covers.

Every URL pattern (from the resolver) and every API operation (from the OpenAPI schema) must be
either covered by a spec in `test_isolation.py` or listed in `ALLOWED_UNCOVERED` with the reason.
"""

import json
import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

# Routes that show no plan data, or whose isolation is proven by a dedicated test.
ALLOWED_UNCOVERED = {
    "login": "public sign-in page",
    "logout": "ends the session; no plan data",
    "healthz": "public liveness probe",
    "session-status": "seconds left in the caller's own session; no plan data",
    "session-keepalive": "refreshes the caller's own session; no plan data",
    "plan-switch": "tests/ecm_platform/test_sessions.py: only the user's own plans",
    "api:schema": "public API description",
    "api:docs": "public API documentation",
    "admin:login": "the admin's sign-in page; no plan data",
    "admin:logout": "ends the caller's own session",
    "admin:password_change": "the caller's own password",
    "admin:password_change_done": "the caller's own password",
    "admin:jsi18n": "translations for the admin's scripts; no data",
    "admin:view_on_site": "redirects to an object's own page, which the page specs cover",
    "admin:<unnamed (?P<url>.*)$>": "the admin's catch-all: a redirect or 404",
    "admin:<unnamed <path:object_id>/>": "redirects to the change page, which is covered",
}
# Whole namespaces proven elsewhere (none: the admin is covered route by route, specs_admin.py).
ALLOWED_NAMESPACES: dict[str, str] = {}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def route_names(resolver=None, namespace="") -> set[str]:
    """Every named URL pattern, namespaced ("api:holiday-detail")."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            # An unnamed route can never be covered, so it always shows up as missing.
            names.add(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


def api_operations(urlconf=None) -> set[tuple[str, str]]:
    """(method, path template) of every operation in the OpenAPI schema."""
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def name_of_api_path(path: str, urlconf=None) -> str:
    return resolve(re.sub(r"\{[^}]+\}", "1", path), urlconf=urlconf).view_name


def uncovered(covered_pages: set[str], covered_api: set[tuple[str, str]], urlconf=None) -> set[str]:
    """Routes and operations that are neither covered nor allowed: what a new route must add."""
    operations = api_operations(urlconf)
    api_names = {name_of_api_path(path, urlconf) for _, path in operations}
    missing = set()
    for name in route_names(get_resolver(urlconf)):
        namespace = name.split(":")[0] if ":" in name else ""
        if name in ALLOWED_UNCOVERED or namespace in ALLOWED_NAMESPACES or name in api_names:
            continue  # API routes are covered through their operations, below
        if namespace == "api":
            missing.add(f"{name} (an API route missing from the schema)")
        elif name not in covered_pages:
            missing.add(name)
    missing |= {f"{method} {path}" for method, path in operations - covered_api}
    return missing


@dataclass(frozen=True)
class Call:
    method: str
    url: str  # with {kind} placeholders for objects
    foreign: bool = False  # the url names plan A objects
    data: dict = field(default_factory=dict)
    upload: bool = False  # post a claims CSV naming plan A's member
    lists: str = ""  # a JSON list of this kind of object: plan A's row must be absent, by id

    # The provider directory is shared by every plan: naming its organizations links nothing.
    SHARED_KINDS = ("{organization}",)

    @property
    def links_foreign(self) -> bool:
        """The body names plan A's own objects: the write must be refused (4xx)."""
        placeholders = set(re.findall(r"\{[a-z_]+\}", json.dumps(self.data))) - set(self.SHARED_KINDS)
        return self.method != "get" and bool(placeholders)

    def __str__(self):
        return f"{self.method.upper()} {self.url}"
