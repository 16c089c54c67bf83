"""Property-based API tests: schemathesis generates requests from the app's own OpenAPI schema.

Every generated request (valid or not) must get a documented status code and a response
that matches its schema; above all, never a 500. (A documented 503, e.g. the built-in demand
naming places a small dataset lacks, is an answer, not a crash.) The schema is the one of the
embedded dataset's app when that dataset is present, else the mini fixture's.
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

from karavan import datasets
from karavan.api import Settings, create_app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
DATASET = None if datasets.DEFAULT in datasets.available() else str(MINI)

app = create_app(Settings(dataset=DATASET))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def no_internal_error(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Fail on 500: an unexpected exception reached the catch-all handler."""
    if response.status_code == 500:
        raise AssertionError(f"500 Internal Server Error for {case.method} {case.path}: {response.text[:300]}")


# An energy solve of the embedded network imports PyPSA and solves a year on its first call;
# on a loaded machine that can pass the client's default 10 s read timeout.
CALL_TIMEOUT_S = 180

CHECKS = [
    no_internal_error,
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
    case.call_and_validate(checks=CHECKS, timeout=CALL_TIMEOUT_S)
