#!/usr/bin/env bash
# Installs the packages pinned in a requirements file into a virtualenv of their own.
#   tools/venv.sh REQUIREMENTS_FILE VENV_DIR
# Nothing is done when VENV_DIR/.installed already holds the same requirements (by content, not by
# file time, so a fresh checkout or a second work tree does not reinstall).
set -euo pipefail
req=${1:?requirements file}; dir=${2:?virtualenv directory}
python=${PYTHON:-python3}
if cmp -s "$req" "$dir/.installed"; then
  exit 0
fi
echo "installing $(basename "$req") into $dir"
rm -rf "$dir"
"$python" -m venv "$dir"
"$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$dir/.installed"
