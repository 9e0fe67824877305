"""Send predictions and labels to the modelwatch ingest API.

``log_prediction`` and ``log_label`` put a record on a bounded queue and
return at once; a background thread sends batches (by size and by interval),
gzip-compressed and signed with SigV4 for ``execute-api``, and retries a batch
that fails with a network error, a 5xx or a 429 with backoff and the same
batch id (``Idempotency-Key``), so it is stored once. Records that do not fit
in the queue are dropped and counted in ``stats``, never silently.

    from modelwatch_client import Client

    with Client("https://abc.execute-api.eu-west-1.amazonaws.com", "credit-default") as mw:
        mw.log_prediction({"age": 41, "region": "north"}, "no_default",
                          scores={"default": 0.2, "no_default": 0.8}, request_id="r-1")
"""

from .client import Client, Stats

__all__ = ["Client", "Stats"]
__version__ = "0.1.0"
