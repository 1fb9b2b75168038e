"""The OpenAPI schema's promises, checked over every operation (issue 9): schemathesis
generates a few requests per operation from the schema and sends them to the WSGI app with a
firm admin's token; every answer must be documented (status code, content type, body schema)
and none may be a server error. Answers are held to exactly the documented fields (no
undocumented extras). Bounded in time: a few examples per operation.

schemathesis' own pytest plugin does not run under pytest 9 here ('Function' has no
'_nodeid'), so the operations are parametrized by hand and each one's strategy is run with
hypothesis directly: the same generation and the same checks."""

from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from pma_portal.wsgi import application

EXAMPLES_PER_OPERATION = 3


def _strict(node):
    """Answers carry exactly the documented fields: every object schema of an answer gets
    `additionalProperties: false` (request components, `…Request`, are left as they are:
    DRF ignores unknown input fields, which the schema does not promise to refuse)."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for value in node:
            _strict(value)


def _operations():
    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    raw = copy.deepcopy(loaded.raw_schema)
    for name, component in raw.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            _strict(component)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    schema.location = loaded.location
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()


@pytest.fixture
def admin_token(cast):
    return Token.objects.get_or_create(user=cast.a.admin)[0].key


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes the
    database connection (CONN_MAX_AGE 0 on PostgreSQL) and with it the test's transaction.
    Django's test client detaches that handler for the same reason; so do we."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_lists_the_operations_we_expect():
    labels = {operation.label for operation in OPERATIONS}
    assert "GET /api/securities/{ticker}/prices/" in labels
    assert "POST /api/customizations/" not in labels  # it is not an operation (always 405)
    assert len(labels) > 30


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_keeps_the_schemas_promises(operation, admin_token):
    headers = {"Authorization": f"Token {admin_token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # Excluded: "a schema-valid request must be accepted". A schema cannot say that the
        # client id must be one of your firm's or that a password must be right; those 400s
        # are documented and are the point. Everything else is checked (server errors, status
        # codes, content types, bodies, headers, and that invalid input is refused).
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()
