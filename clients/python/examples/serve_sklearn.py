"""A scikit-learn model served over HTTP, monitored by modelwatch.

    MODELWATCH_ENDPOINT=https://abc.execute-api.eu-west-1.amazonaws.com python serve_sklearn.py
    curl -d '{"age": 41, "income": 35294.56, "loan_amount": 19916.16, "term": 60, "credit_score": 698,
              "open_accounts": 5, "debt_to_income": 0.4561}' localhost:8080/predict

--demo N sends N rows of the example data to the server and exits.
"""

import argparse
import csv
import json
import os
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sklearn.linear_model import LogisticRegression

from modelwatch_client import Client

# The example data of the repository (testdata/example), or MODELWATCH_EXAMPLE_DATA.
DATA = os.environ.get("MODELWATCH_EXAMPLE_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "example")
FEATURES = ["age", "income", "loan_amount", "term", "credit_score", "open_accounts", "debt_to_income"]


def rows(name):
    with open(os.path.join(DATA, name)) as f:
        return list(csv.DictReader(f))


# The model: a logistic regression on the example training data.
train = rows("reference.csv")
model = LogisticRegression(max_iter=1000).fit([[float(r[f]) for f in FEATURES] for r in train],
                                              [r["label"] for r in train])
mw = Client(os.environ["MODELWATCH_ENDPOINT"], os.environ.get("MODELWATCH_MODEL", "credit-default"))


class Predict(BaseHTTPRequestHandler):
    def do_POST(self):
        features = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        proba = model.predict_proba([[float(features[f]) for f in FEATURES]])[0]
        scores = dict(zip(model.classes_, proba.tolist()))
        prediction = max(scores, key=scores.get)
        request_id = "example-" + uuid.uuid4().hex
        mw.log_prediction(features, prediction, scores=scores, request_id=request_id)  # returns at once
        body = json.dumps({"request_id": request_id, "prediction": prediction, "scores": scores}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--demo", type=int, default=0, help="send this many example rows to the server, then exit")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0 if args.demo else args.port), Predict)
    if not args.demo:
        print(f"serving on http://127.0.0.1:{server.server_address[1]}/predict")
        server.serve_forever()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/predict"
    for r in rows("current.csv")[: args.demo]:
        body = json.dumps({f: float(r[f]) for f in FEATURES}).encode()
        urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10).read()
    server.shutdown()
    mw.close()
    print(f"sent {mw.stats.sent} predictions, {mw.stats.failed} failed, {mw.stats.dropped} dropped")
