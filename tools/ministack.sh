#!/usr/bin/env bash
# Starts or stops MiniStack, the local AWS emulator, on https://127.0.0.1:PORT in the background.
#   tools/ministack.sh start|stop MINISTACK_BIN PORT STATE_DIR
# start waits until it answers; its log is STATE_DIR/ministack.log, its pid (and process group)
# STATE_DIR/ministack.pid, the certificate clients must trust STATE_DIR/tls/cert.pem (self-signed,
# made here with openssl). stop ends the whole group, the function processes with it.
#
# It runs MiniStack through tools/ministack_launch.py, which fills four gaps of the emulator (alarms on a
# Metrics Insights query, SQS batch actions under IAM, a string MaximumConcurrency, the scheduler's
# context attributes; see that file and e2e/doc.go).
#
# MiniStack runs with AUTH=true (it evaluates IAM policies: each function gets only what its role
# allows) and USE_SSL=1 (the bucket and topic policies deny requests that are not over TLS, as on AWS).
set -euo pipefail
cmd=${1:?start or stop}; bin=${2:?ministack binary}; port=${3:?port}; state=${4:?state dir}
pidfile="$state/ministack.pid"

case "$cmd" in
start)
  mkdir -p "$state/tls"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "MiniStack already runs (pid $(cat "$pidfile")) on port $port"; exit 0
  fi
  cert="$state/tls/cert.pem"; key="$state/tls/key.pem"
  if [ ! -s "$cert" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,DNS:*.localhost,DNS:*.execute-api.localhost,IP:127.0.0.1" \
      -keyout "$key" -out "$cert" 2>/dev/null
  fi
  # The functions MiniStack runs inherit its environment: the endpoint, and the certificate to trust
  # (SSL_CERT_FILE for the Go bootstraps, AWS_CA_BUNDLE for Python).
  AWS_ENDPOINT_URL="https://127.0.0.1:$port" SSL_CERT_FILE="$cert" AWS_CA_BUNDLE="$cert" \
  AUTH="${MINISTACK_AUTH:-true}" USE_SSL=1 MINISTACK_SSL_CERT="$cert" MINISTACK_SSL_KEY="$key" \
    GATEWAY_PORT="$port" BIND_HOST=127.0.0.1 MINISTACK_HOST=localhost S3_DATA_DIR="$state/s3" \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    setsid nohup "$(dirname "$bin")/python" "$(cd "$(dirname "$0")" && pwd)/ministack_launch.py" >"$state/ministack.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -fsS --cacert "$cert" "https://127.0.0.1:$port/_ministack/health" >/dev/null 2>&1; then
      echo "MiniStack up on https://127.0.0.1:$port (log: $state/ministack.log, certificate: $cert)"; exit 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "MiniStack exited; its log:" >&2; cat "$state/ministack.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "MiniStack did not answer on port $port within 20 s; its log: $state/ministack.log" >&2; exit 1
  ;;
stop)
  # MiniStack leads a process group of its own (setsid), with the bootstraps it runs; it does not exit on
  # SIGTERM while functions are warm, so the group gets SIGKILL after five seconds.
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "MiniStack stopped"
  fi
  ;;
*) echo "usage: $0 start|stop MINISTACK_BIN PORT STATE_DIR" >&2; exit 2 ;;
esac
