"""Property-based API tests: schemathesis generates requests from the app's own OpenAPI schema.

Every generated request (valid or not) must get a documented status code and a response
that matches its schema; above all, never a 500.
"""

from __future__ import annotations

from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from karavan.api import Settings, create_app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"

app = create_app(Settings(dataset=str(MINI)))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:hypothesis_jsonschema")
@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
