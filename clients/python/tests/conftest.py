"""The tests talk to the real ingest function behind a local stand-in for API
Gateway that checks SigV4 signatures, storing into moto's S3. The Go test that
runs pytest (clients/python/python_test.go) starts them and sets:

MODELWATCH_TEST_ENDPOINT  the API's URL
MODELWATCH_TEST_MODEL     the model with a reference profile
MODELWATCH_TEST_BUCKET    the bucket the function writes to
MODELWATCH_TEST_S3        the S3 endpoint of that bucket
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION  what the API accepts

A missing variable fails the tests; none is skipped.
"""

import gzip
import json
import os
import urllib.request
from collections import Counter

import botocore.session
import pytest


def _env(name):
    v = os.environ.get(name)
    if not v:
        pytest.fail(f"{name} is not set: run these tests through `go test ./clients/python/`", pytrace=False)
    return v


class Stack:
    def __init__(self):
        self.endpoint = _env("MODELWATCH_TEST_ENDPOINT")
        self.model = _env("MODELWATCH_TEST_MODEL")
        self.bucket = _env("MODELWATCH_TEST_BUCKET")
        self.s3 = botocore.session.get_session().create_client(
            "s3", endpoint_url=_env("MODELWATCH_TEST_S3"), region_name=_env("AWS_REGION"))

    def inject(self, *faults):
        """Queue faults ("503", "429", "drop") for the next requests."""
        req = urllib.request.Request(self.endpoint + "/_shim/faults", data=json.dumps(list(faults)).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def shim_stats(self):
        return json.loads(urllib.request.urlopen(self.endpoint + "/_shim/stats", timeout=10).read())

    def stored(self, kind, prefix):
        """How often each request id starting with prefix is stored in kind
        (predictions or labels)."""
        counts = Counter()
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=kind + "/")
        for page in pages:
            for obj in page.get("Contents", []):
                body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                for line in gzip.decompress(body).splitlines():
                    rid = json.loads(line)["request_id"]
                    if rid.startswith(prefix):
                        counts[rid] += 1
        return counts


@pytest.fixture(scope="session")
def stack():
    return Stack()
