#!/usr/bin/env bash
# Side-by-side benchmark against Evidently, NannyML and a plain pandas + scipy script
# (issues 8 and 15); see bench/RESULTS.md.
#
#   bench/run.sh --sizes 10k,100k,1M --reps 3 [--sets standard,hard] [--formats csv,parquet] [--tools ...]
#
# Creates bench/.venv (Python 3.11; PYTHON=... to choose the interpreter) and
# installs the pinned packages when requirements.txt or constraints.txt changed,
# builds modelwatch and bench/cmd/profilecompare into bench/data/build, then runs
# bench/python/run.py with the arguments given. A failed install, a failed
# build, a failed tool or a failed agreement check makes it exit non-zero.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3.11}"
venv="$here/.venv"
stamp="$venv/.installed-requirements"
want="$(cat "$here/requirements.txt" "$here/constraints.txt" | sha256sum | cut -d' ' -f1)"

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "bench: $python not found; the pins in bench/constraints.txt are for CPython 3.11 (set PYTHON=...)" >&2
    exit 1
  fi
  echo "bench: creating $venv and installing bench/requirements.txt" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --no-input --quiet -r "$here/requirements.txt" -c "$here/constraints.txt"; then
    echo "bench: FAILED to install the benchmark's Python packages (see pip's output above)" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi

mkdir -p "$here/data/build"
(cd "$root" && go build -trimpath -o "$here/data/build/modelwatch" ./cmd/modelwatch \
  && go build -trimpath -o "$here/data/build/profilecompare" ./bench/cmd/profilecompare)

exec "$venv/bin/python" "$here/python/run.py" "$@"
