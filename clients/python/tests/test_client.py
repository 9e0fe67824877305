import os
import subprocess
import sys
import time
import uuid

import pytest
from botocore.credentials import Credentials

from modelwatch_client import Client

FEATURES = {"age": 41, "income": 35294.56, "loan_amount": 19916.16, "term": 60, "credit_score": 698,
            "open_accounts": 5, "debt_to_income": 0.4561, "region": "north", "purpose": "car",
            "employment": "self_employed"}
SCORES = {"default": 0.2113, "no_default": 0.7887}
HERE = os.path.dirname(os.path.abspath(__file__))


def client(stack, **kw):
    kw.setdefault("flush_interval", 3600)
    kw.setdefault("retry_base", 0.001)
    kw.setdefault("retry_max", 0.01)
    return Client(stack.endpoint, stack.model, exit_hook=False, **kw)


def prefix():
    return "py-" + uuid.uuid4().hex[:8] + "-"


def test_predictions_and_labels_land(stack):
    p = prefix()
    with client(stack, batch_size=50) as mw:
        for i in range(120):
            assert mw.log_prediction(FEATURES, "no_default", scores=SCORES, request_id=f"{p}{i}", latency_ms=12.5)
        for i in range(10):
            assert mw.log_label(f"{p}{i}", "default")
    st = mw.stats
    assert (st.queued, st.sent, st.failed, st.dropped, st.rejected, st.batches, st.retries) == (130, 130, 0, 0, 0, 4, 0)
    preds = stack.stored("predictions", p)
    assert len(preds) == 120 and set(preds.values()) == {1}
    labels = stack.stored("labels", p)
    assert len(labels) == 10 and set(labels.values()) == {1}
    assert not mw.log_prediction(FEATURES, "no_default")
    assert mw.stats.dropped == 1


def test_retries_keep_the_batch_id(stack):
    """A 503 and a 429 that never reach the function, then a connection
    dropped after the function stored the batch: the last attempt is a
    duplicate that stores nothing."""
    p = prefix()
    before = stack.shim_stats()
    mw = client(stack)
    stack.inject("503", "429", "drop")
    for i in range(5):
        mw.log_prediction(FEATURES, "no_default", scores=SCORES, request_id=f"{p}{i}")
    assert mw.flush()
    st = mw.stats
    assert (st.sent, st.batches, st.retries, st.failed) == (5, 1, 3, 0)
    counts = stack.stored("predictions", p)
    assert len(counts) == 5 and set(counts.values()) == {1}
    after = stack.shim_stats()
    assert after["requests"] - before["requests"] == 4
    assert after["invocations"] - before["invocations"] == 2
    mw.close()


def test_interval_flush(stack):
    p = prefix()
    mw = client(stack, flush_interval=0.1)
    mw.log_prediction(FEATURES, "no_default", request_id=p + "0")
    mw.log_prediction(FEATURES, "default", request_id=p + "1")
    deadline = time.monotonic() + 10
    while mw.stats.sent < 2:
        assert time.monotonic() < deadline, f"not sent by the interval: {mw.stats}"
        time.sleep(0.02)
    mw.close()
    assert len(stack.stored("predictions", p)) == 2


def test_full_queue_drops_and_counts(stack):
    mw = client(stack, queue_size=5, batch_size=100)
    took = sum(mw.log_prediction(FEATURES, "no_default") for _ in range(8))
    mw.close()
    st = mw.stats
    assert (took, st.dropped, st.sent) == (5, 3, 5)


def test_logging_returns_at_once(stack):
    # The sender is stuck on retries; logging does not wait for it.
    mw = client(stack, batch_size=10, retry_base=0.5, retry_max=0.5, max_attempts=3)
    stack.inject("503", "503", "503")
    start = time.monotonic()
    for _ in range(1000):
        mw.log_prediction(FEATURES, "no_default")
    assert time.monotonic() - start < 0.5
    mw.close()
    st = mw.stats
    assert st.sent + st.failed == 1000 and st.failed == 10


@pytest.mark.parametrize("name,kw,faults,retries", [
    ("wrong secret is not retried", {"credentials": Credentials(os.environ.get("AWS_ACCESS_KEY_ID", ""), "wrong")}, [], 0),
    ("gives up after max_attempts", {"max_attempts": 3}, ["503", "503", "503"], 2),
])
def test_failures_are_counted(stack, name, kw, faults, retries):
    mw = client(stack, **kw)
    if faults:
        stack.inject(*faults)
    mw.log_prediction(FEATURES, "no_default")
    mw.log_prediction(FEATURES, "no_default")
    assert not mw.flush()
    st = mw.stats
    assert (st.failed, st.sent, st.retries) == (2, 0, retries)
    mw.close()


def test_exit_hook_sends_what_is_queued(stack):
    p = prefix()
    script = (
        "from modelwatch_client import Client\n"
        "import os\n"
        "mw = Client(os.environ['MODELWATCH_TEST_ENDPOINT'], os.environ['MODELWATCH_TEST_MODEL'], flush_interval=3600)\n"
        f"for i in range(3): mw.log_prediction({FEATURES!r}, 'no_default', request_id='{p}' + str(i))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert len(stack.stored("predictions", p)) == 3


def test_readme_example_sends_predictions_that_land(stack):
    before = sum(stack.stored("predictions", "example-").values())
    env = dict(os.environ, MODELWATCH_ENDPOINT=stack.endpoint, MODELWATCH_MODEL=stack.model)
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "examples", "serve_sklearn.py"), "--demo", "25"],
                         env=env, timeout=120, capture_output=True, text=True)
    assert out.returncode == 0 and "sent 25" in out.stdout, out.stdout + out.stderr
    assert sum(stack.stored("predictions", "example-").values()) - before == 25
