"""Property-based API tests: schemathesis generates requests for every operation of the OpenAPI schema
served at /api/v1/schema/ and sends them in-process to the real WSGI application, authenticated with
API keys of a real plan (an integrator's and a plan administrator's), over a plan that has a member.

Every response must not be a server error, must carry a documented status code and content type, and
must match the documented response schema. The run is bounded and reproducible: few examples per
operation, a fixed seed, deterministic generation, no example database.
"""

import json
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, settings
from werkzeug.test import Client

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.services import api_key_issue
from tests.factories import enrolled_member

SCHEMA_PATH = "/api/v1/schema/"
MAX_EXAMPLES = 5
SEED = 20260101

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Positive and negative inputs. The coverage phase (boundary values of every parameter) was run
        # by hand once and takes minutes; the stateful phase needs links the schema does not declare.
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

app = get_wsgi_application()


def placeholders_as_patterns(node):
    """drf-standardized-errors names a list item's error `events.INDEX.claim_id` and a dict entry's
    `field.KEY` in the schema's `attr` enums, while responses carry the real index or key
    (`events.0.claim_id`): read the placeholders as the patterns they stand for."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if (
            enum
            and all(isinstance(value, str) for value in enum)
            and any(re.search(r"(^|\.)(INDEX|KEY)(\.|$)", value) for value in enum)
        ):
            alternatives = []
            for value in enum:
                parts = [
                    r"\d+" if part == "INDEX" else r"[^.]+" if part == "KEY" else re.escape(part)
                    for part in value.split(".")
                ]
                alternatives.append(r"\.".join(parts))
            return {"type": "string", "pattern": "^(" + "|".join(alternatives) + ")$"}
        return {key: placeholders_as_patterns(value) for key, value in node.items()}
    if isinstance(node, list):
        return [placeholders_as_patterns(value) for value in node]
    return node


def load_schema():
    response = Client(app).get(SCHEMA_PATH, headers={"Accept": "application/json", "Host": "localhost"})
    assert response.status_code == 200, response.status
    loaded = schemathesis.openapi.from_dict(placeholders_as_patterns(json.loads(response.get_data())), config=CONFIG)
    loaded.app = app
    loaded.location = SCHEMA_PATH
    return loaded


schema = load_schema()


@pytest.fixture
def wsgi_calls_share_the_test_connection():
    """Django closes "old" connections when a request starts and finishes; the test client switches that
    off and so must we: the in-process calls run on the test's connection, inside its transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_keys(plan_a, make_membership):
    """Raw keys of an integrator and of a plan administrator of a plan that has an enrolled member."""
    keys = {}
    with scopes_disabled():
        enrolled_member(plan_a)
        for role in (Role.INTEGRATOR, Role.PLAN_ADMINISTRATOR):
            membership = make_membership(plan_a, role)
            _, keys[role] = api_key_issue(
                plan=plan_a,
                membership=membership,
                name=f"fuzz {role}",
                expires_at=clocks.now() + timedelta(days=30),
                actor=OPERATOR,
            )
    return keys


def routed(response) -> bool:
    try:
        resolve(unquote(urlsplit(response.request.url).path))
    except Resolver404:
        return False
    return True


def checks_for(response):
    if response.status_code == 404 and not routed(response):
        # A negative path parameter (`/appeals/abc/resolve/`) that the URLconf does not route never
        # reaches the API: Django answers with its own HTML 404. The status is documented; the
        # content type and body are the site's, not the API's.
        return [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance]
    return CHECKS


@schema.parametrize()
# The fixtures (plan, member, keys) are set up once per operation and shared by its examples on purpose.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(case, api_keys, wsgi_calls_share_the_test_connection):
    for raw_key in api_keys.values():
        response = case.call(headers={"Authorization": f"Api-Key {raw_key}"})
        case.validate_response(response, checks=checks_for(response))
