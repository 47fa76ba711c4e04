"""schemathesis over the operator routes with an admin token: no server errors, every answer in
its schema. Derandomized, so CI sends the same requests every run.

Schema-valid requests may be refused for what OpenAPI does not state: a player key that is not
0x and 64 hex digits, a zero amount or one past its limit, an unknown reference (422, 404), a
reference already holding other content (409)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection

from tests.operator.conftest import Operator

EXAMPLES = 25
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", 404, 409, 422]}}}
)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_every_operator_operation_answers_within_its_schema(
    op: Operator, mode: schemathesis.GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", op.api.app, config=CONFIG)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [o for o in operations if o.path.startswith("/v1/operator/")]
    headers = op.auth("admin")
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)  # fmt: skip
        def run(case: schemathesis.Case) -> None:
            if mode == schemathesis.GenerationMode.POSITIVE:
                case.call_and_validate(headers=headers)
            else:
                response = case.call_and_validate(headers=headers, excluded_checks=[negative_data_rejection])
                assert response.status_code < 500

        run()
    assert len(operations) == 16
