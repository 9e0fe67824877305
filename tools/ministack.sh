#!/usr/bin/env bash
# Starts or stops MiniStack, the local AWS emulator, on 127.0.0.1:PORT in the background.
#   tools/ministack.sh start|stop MINISTACK_BIN PORT STATE_DIR
# start waits until it answers; its log is STATE_DIR/ministack.log, its pid STATE_DIR/ministack.pid.
set -euo pipefail
cmd=${1:?start or stop}; bin=${2:?ministack binary}; port=${3:?port}; state=${4:?state dir}
pidfile="$state/ministack.pid"

case "$cmd" in
start)
  mkdir -p "$state"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "MiniStack already runs (pid $(cat "$pidfile")) on port $port"; exit 0
  fi
  # The functions MiniStack runs reach it through AWS_ENDPOINT_URL in its own environment.
  GATEWAY_PORT="$port" BIND_HOST=127.0.0.1 MINISTACK_HOST=localhost \
    S3_DATA_DIR="$state/s3" AWS_ENDPOINT_URL="http://127.0.0.1:$port" \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    nohup "$bin" >"$state/ministack.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/_ministack/health" >/dev/null 2>&1; then
      echo "MiniStack up on http://127.0.0.1:$port (log: $state/ministack.log)"; exit 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "MiniStack exited; its log:" >&2; cat "$state/ministack.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "MiniStack did not answer on port $port within 20 s; its log: $state/ministack.log" >&2; exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    echo "MiniStack stopped"
  fi
  ;;
*) echo "usage: $0 start|stop MINISTACK_BIN PORT STATE_DIR" >&2; exit 2 ;;
esac
