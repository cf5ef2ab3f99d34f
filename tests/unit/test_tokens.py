"""ClientTokens and request hashes that never change by accident."""

from __future__ import annotations

import subprocess
import sys

import botocore.session

from bulkload.tokens import client_token, derive_job_id, request_hash

REQUEST = {"InstanceId": "i-1", "ContactFlowId": "f-1", "Name": "Call Ada", "Attributes": {"tier": "gold"}}


def test_the_request_hash_ignores_the_token_and_the_order_of_keys() -> None:
    reordered = {
        "Attributes": {"tier": "gold"},
        "Name": "Call Ada",
        "ContactFlowId": "f-1",
        "InstanceId": "i-1",
    }
    assert request_hash(REQUEST) == request_hash(reordered)
    assert request_hash(REQUEST) == request_hash({**REQUEST, "ClientToken": "anything"})
    assert request_hash(REQUEST) != request_hash({**REQUEST, "Name": "Call Ada "})
    assert request_hash(REQUEST) != request_hash({**REQUEST, "Attributes": {"tier": "silver"}})


def test_a_token_depends_on_the_job_the_key_and_the_request_and_on_nothing_else() -> None:
    h = request_hash(REQUEST)
    token = client_token("job-1", "T-1", h)
    assert token == client_token("job-1", "T-1", h)
    assert len({token, client_token("job-2", "T-1", h), client_token("job-1", "T-2", h)}) == 3
    assert token != client_token("job-1", "T-1", request_hash({**REQUEST, "Name": "Call Bob"}))
    # Framing: the parts cannot run into each other.
    assert client_token("a", "b|c", h) != client_token("a|b", "c", h)


def test_a_token_is_the_same_in_another_process() -> None:
    """No per-process salt (Python's hash()), time or randomness: a re-run tomorrow sends the same token."""
    code = (
        "from bulkload.tokens import client_token, request_hash;"
        f"print(client_token('job-1', 'T-1', request_hash({REQUEST!r})))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "7"}
    )
    assert other.stdout.strip() == client_token("job-1", "T-1", request_hash(REQUEST))


def test_a_token_fits_the_service_model() -> None:
    model = botocore.session.get_session().get_service_model("connect")
    shape = model.operation_model("StartTaskContact").input_shape.members["ClientToken"]
    token = client_token("job-" + "f" * 16, "k" * 5000, request_hash(REQUEST))
    assert len(token) <= shape.metadata["max"]
    assert token.isascii()
    assert derive_job_id("0123456789abcdef0123") == "job-0123456789abcdef"
