"""Schemathesis against the live API: no 5xx, and every response matches /api/openapi.json.

Every operation of the OpenAPI document gets generated requests, valid ones and invalid ones,
sent by the GM (a personal API token) to a live test server. The checks are the ones about our
side of the contract: no server error; status code, content type, headers and body as the
document declares them.
"""

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gmassist.api import api
from gmassist.core.services import api_token_create

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per operation and per mode (valid and invalid input), 30 operations: about 500 requests.
EXAMPLES = 8


@pytest.mark.django_db(transaction=True)
# An accepted import stays a queued job: its 202 answer is what is checked here, and a job
# running in the live server's thread while the test database is torn down would be flaky.
@override_settings(GMASSIST_JOBS_EAGER=False)
def test_the_api_answers_every_generated_request_as_its_openapi_document_says(live_server, cast):
    _token, key = api_token_create(user=cast.gm, name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # every operation the API declares is exercised (none lost in loading the document)
    declared = api.get_openapi_schema()["paths"]
    assert len(operations) == sum(len(methods) for methods in declared.values())

    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,  # the same requests every run
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # every operation is tried; all failures are reported
                failures.append(f"{operation.label} ({mode.value}): {exc}")

    assert not failures, "\n\n".join(failures)
