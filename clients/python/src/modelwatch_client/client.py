"""The client: a bounded queue, a flusher thread and a signed, retrying sender."""

import atexit
import dataclasses
import datetime as _dt
import gzip
import http.client
import json
import logging
import math
import random
import threading
import time
import urllib.parse
import uuid
import weakref
from collections import deque

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.session import Session

log = logging.getLogger("modelwatch_client")

PREDICTIONS = "predictions"
LABELS = "labels"


@dataclasses.dataclass
class Stats:
    """What happened to the logged records.

    queued: taken onto the queue; dropped: refused because the queue was full
    or the client closed. sent: in batches the API answered 200 (of which
    rejected were refused as invalid by the API); failed: in batches given up
    after max_attempts or answered with a 4xx. batches: answered 200;
    retries: extra attempts.
    """

    queued: int = 0
    dropped: int = 0
    sent: int = 0
    failed: int = 0
    rejected: int = 0
    batches: int = 0
    retries: int = 0


class Client:
    """A client of one model's ingest API. Thread-safe.

    endpoint: the API's URL (the stack output IngestApiUrl). model: the
    monitored model. region: the API's region (default: botocore's
    configuration). credentials: botocore Credentials (default: botocore's
    chain). batch_size: records per batch, sent as soon as this many are
    queued. flush_interval: seconds a record waits at most. queue_size: queued
    records at most. max_attempts, retry_base, retry_max: retries with
    exponential backoff (seconds) and jitter. exit_hook: send what is queued
    when the interpreter exits.
    """

    def __init__(self, endpoint, model, region=None, *, credentials=None, batch_size=500,
                 flush_interval=5.0, queue_size=10000, max_attempts=6, retry_base=0.2,
                 retry_max=20.0, timeout=30.0, exit_hook=True):
        if not endpoint or not model:
            raise ValueError("endpoint and model are required")
        url = urllib.parse.urlsplit(endpoint.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError(f"endpoint {endpoint!r}: want an http(s) URL")
        self._url = url
        self.model = model
        session = Session()
        self._region = region or session.get_config_variable("region")
        if not self._region:
            raise ValueError("no region: pass region= or set AWS_REGION")
        self._credentials = credentials or session.get_credentials()
        if self._credentials is None:
            raise ValueError("no AWS credentials found to sign the requests")
        self.batch_size = max(1, int(batch_size))
        self.flush_interval = float(flush_interval)
        self.queue_size = max(1, int(queue_size))
        self.max_attempts = max(1, int(max_attempts))
        self.retry_base = float(retry_base)
        self.retry_max = float(retry_max)
        self.timeout = float(timeout)

        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._queue = deque()
        self._stats = Stats()
        self._closed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="modelwatch-flusher", daemon=True)
        self._thread.start()
        if exit_hook:
            ref = weakref.ref(self)

            def _at_exit():
                c = ref()
                if c is not None:
                    c.close()

            atexit.register(_at_exit)

    # ------------------------------------------------------------ logging

    def log_prediction(self, features, prediction, *, scores=None, request_id=None, timestamp=None,
                       model_version=None, latency_ms=None, error=None):
        """Queue one prediction; returns False when it was dropped."""
        rec = {
            "request_id": request_id or uuid.uuid4().hex,
            "timestamp": _stamp(timestamp),
            "features": {str(k): _value(v) for k, v in (features or {}).items()},
            "prediction": _value(prediction),
        }
        if model_version:
            rec["model_version"] = model_version
        if scores is not None:
            rec["scores"] = {str(k): _value(v) for k, v in scores.items()}
        if latency_ms is not None:
            rec["latency_ms"] = _value(latency_ms)
        if error is not None:
            rec["error"] = error
        return self._enqueue(PREDICTIONS, rec)

    def log_label(self, request_id, label, *, timestamp=None):
        """Queue the true outcome of an earlier prediction; False when dropped."""
        return self._enqueue(LABELS, {"request_id": str(request_id), "label": _value(label),
                                      "timestamp": _stamp(timestamp)})

    def _enqueue(self, kind, rec):
        try:
            data = json.dumps(rec, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError) as e:
            with self._lock:
                self._stats.dropped += 1
            log.warning("record dropped: not encodable as JSON (%s)", type(e).__name__,
                        extra={"model": self.model, "kind": kind})
            return False
        with self._lock:
            if self._closed or len(self._queue) >= self.queue_size:
                self._stats.dropped += 1
                return False
            self._queue.append((kind, data))
            self._stats.queued += 1
            if len(self._queue) >= self.batch_size:
                self._wake.notify()
        return True

    @property
    def stats(self):
        """A copy of the counts so far."""
        with self._lock:
            return dataclasses.replace(self._stats)

    # ------------------------------------------------------------ flushing

    def flush(self):
        """Send everything queued now; True when every batch was sent."""
        return self._drain(full_only=False)

    def close(self, timeout=30.0):
        """Send what is queued, stop the flusher, refuse new records.

        Records still queued after timeout seconds are counted as failed.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._wake.notify()
        self._stop.set()
        self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        self._drain(full_only=False, deadline=deadline)
        with self._lock:
            left = len(self._queue)
            if left:
                self._stats.failed += left
                self._queue.clear()
                log.error("%d records not sent before close returned", left, extra={"model": self.model})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _run(self):
        last = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                wait = max(0.0, self.flush_interval - (time.monotonic() - last))
                if len(self._queue) < self.batch_size and not self._closed:
                    self._wake.wait(wait)
                due = time.monotonic() - last >= self.flush_interval
            if self._stop.is_set():
                return
            self._drain(full_only=not due)
            if due:
                last = time.monotonic()

    def _drain(self, full_only, deadline=None):
        ok = True
        with self._send_lock:
            while True:
                with self._lock:
                    if not self._queue or (full_only and len(self._queue) < self.batch_size):
                        return ok
                    kind = self._queue[0][0]
                    batch, rest = [], deque()
                    while self._queue:
                        item = self._queue.popleft()
                        if item[0] == kind and len(batch) < self.batch_size:
                            batch.append(item[1])
                        else:
                            rest.append(item)
                    self._queue = rest
                ok = self._send(kind, batch, deadline) and ok

    # ------------------------------------------------------------ sending

    def _send(self, kind, records, deadline=None):
        batch_id = uuid.uuid4().hex
        body = gzip.compress(b'{"batch_id":"' + batch_id.encode() + b'","records":['
                             + b",".join(records) + b"]}", compresslevel=1)
        path = f"{self._url.path}/v1/models/{urllib.parse.quote(self.model, safe='')}/{kind}"
        last = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                with self._lock:
                    self._stats.retries += 1
                pause = self._backoff(attempt - 1)
                if deadline is not None and time.monotonic() + pause > deadline:
                    last = f"{last}; out of time"
                    break
                time.sleep(pause)
            try:
                status, answer = self._post(path, batch_id, body)
            except (OSError, http.client.HTTPException) as e:
                last = f"{type(e).__name__}: {e}"
                continue
            if status == 200:
                with self._lock:
                    self._stats.sent += len(records)
                    self._stats.rejected += len(answer.get("rejected") or [])
                    self._stats.batches += 1
                return True
            if status == 429 or status >= 500:
                last = f"HTTP {status}"
                continue
            err = answer.get("error") or {}
            last = f"HTTP {status} {err.get('code', '')}: {err.get('message', answer.get('message', ''))}"
            break
        else:
            last = f"gave up after {self.max_attempts} attempts: {last}"
        with self._lock:
            self._stats.failed += len(records)
        log.error("batch %s of %d %s not sent: %s", batch_id, len(records), kind, last,
                  extra={"model": self.model, "batch_id": batch_id})
        return False

    def _backoff(self, n):
        bound = min(self.retry_base * (2 ** (n - 1)), self.retry_max)
        return bound / 2 + random.random() * bound / 2

    def _post(self, path, batch_id, body):
        url = f"{self._url.scheme}://{self._url.netloc}{path}"
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "Idempotency-Key": batch_id}
        req = AWSRequest(method="POST", url=url, data=body, headers=headers)
        creds = self._credentials
        if hasattr(creds, "get_frozen_credentials"):
            f = creds.get_frozen_credentials()
            creds = Credentials(f.access_key, f.secret_key, f.token)
        SigV4Auth(creds, "execute-api", self._region).add_auth(req)
        cls = http.client.HTTPSConnection if self._url.scheme == "https" else http.client.HTTPConnection
        conn = cls(self._url.netloc, timeout=self.timeout)
        try:
            conn.request("POST", path, body=body, headers=dict(req.headers.items()))
            resp = conn.getresponse()
            data = resp.read(1 << 20)
        finally:
            conn.close()
        try:
            answer = json.loads(data) if data else {}
        except ValueError:
            answer = {}
        return resp.status, answer if isinstance(answer, dict) else {}


def _stamp(ts):
    if ts is None:
        ts = _dt.datetime.now(_dt.timezone.utc)
    if isinstance(ts, (int, float)):
        ts = _dt.datetime.fromtimestamp(ts, _dt.timezone.utc)
    if isinstance(ts, _dt.datetime):
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=_dt.timezone.utc)
        return ts.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return str(ts)


def _value(v):
    """A JSON value: numpy scalars as Python numbers; NaN and infinities as
    null (a missing value)."""
    if hasattr(v, "item") and callable(v.item) and not isinstance(v, (list, dict, str, bytes)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v
