# Sourced by scripts/run and scripts/test: make .venv (once) and install ganvis into it.
# torch: an existing torch is left alone; when none is found, the pinned release is installed
# (`torch==2.13.0`; from PyPI this is a CUDA build on Linux, a CPU/MPS build elsewhere).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
VENV=.venv
TORCH_PIN="torch==2.13.0"

if [ ! -x "$VENV/bin/python" ]; then
  opts=()
  # A machine that already carries torch (a GPU box, say) keeps its build: the venv sees it.
  if "$PY" -c "import torch" >/dev/null 2>&1; then opts+=(--system-site-packages); fi
  echo "ganvis: creating $VENV" >&2
  "$PY" -m venv "${opts[@]}" "$VENV"
fi
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
  echo "ganvis: installing $TORCH_PIN" >&2
  "$VENV/bin/python" -m pip install --quiet "$TORCH_PIN"
fi
stamp="$VENV/.ganvis-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "ganvis: installing ganvis and its dependencies into $VENV" >&2
  # the optional parts too (ONNX export, TensorBoard): the app offers them and the tests use them
  "$VENV/bin/python" -m pip install --quiet -e ".[test,export,tensorboard]"
  touch "$stamp"
fi
