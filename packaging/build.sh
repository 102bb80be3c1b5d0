#!/usr/bin/env bash
# Build the Stepwise Linux bundle (one folder: dist/stepwise/) from a clean checkout.
#
#   packaging/build.sh                       # fresh venv in build/venv: CPU torch, .[gguf,packaging]
#   packaging/build.sh --python .venv/bin/python   # reuse an environment that already has them
#   packaging/build.sh --refresh-assets      # copy assets/ (e.g. a retrained model) into an existing bundle
#
# The result runs without Python installed: dist/stepwise/stepwise (the app; `stepwise solve ...` and the
# other `tutor` subcommands work too), with the bundled model, the llama.cpp backend and CPU torch inside.
# dist/stepwise/install-desktop.sh adds it to the user's application menu. Pack it for download with
# `tar -C dist -czf stepwise-linux-x86_64.tar.gz stepwise`.
#
# Environment: TORCH_INDEX_URL (default https://download.pytorch.org/whl/cpu) is where the fresh venv gets
# torch from; set it to "pypi" to take torch from the default index (on some mirrors that is the CPU
# build too; on pypi.org it is the much larger CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."

python=""
refresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python="$2"; shift 2 ;;
    --refresh-assets) refresh=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

model=assets/model
if [ ! -f "$model/model.gguf" ] && [ ! -f "$model/config.json" ]; then
  echo "error: no bundled model in $model (neither model.gguf nor config.json); train or copy one first" >&2
  exit 1
fi

bundle=dist/stepwise
if [ "$refresh" = 1 ]; then
  # Data files only (the spec copies assets/ verbatim): no PyInstaller run needed for a new model.
  [ -x "$bundle/stepwise" ] || { echo "error: no bundle at $bundle to refresh; build it first" >&2; exit 1; }
  rm -rf "$bundle/_internal/assets"
  cp -r assets "$bundle/_internal/assets"
  rm -rf "$bundle"/_internal/assets/model/{checkpoints,runs,optimizer.pt,training_args.bin}  # as the spec skips
  echo "== refreshed $bundle/_internal/assets from assets/ ($(du -sh "$bundle" | cut -f1))"
  exit 0
fi

if [ -z "$python" ]; then
  echo "== fresh build environment in build/venv"
  python3 -m venv build/venv
  python=build/venv/bin/python
  "$python" -m pip install --upgrade pip
  index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
  if [ "$index" = "pypi" ]; then
    "$python" -m pip install "torch<=2.13.0"
  else
    "$python" -m pip install --index-url "$index" "torch<=2.13.0"
  fi
  "$python" -m pip install ".[gguf,packaging]"  # llama-cpp-python compiles once (minutes), then is cached
fi

"$python" - <<'EOF'
import importlib.util, sys
import torch
missing = [name for name in ("PyInstaller", "llama_cpp", "PySide6") if importlib.util.find_spec(name) is None]
if missing:
    sys.exit(f"error: the build environment lacks {', '.join(missing)}: pip install '.[gguf,packaging]'")
if torch.version.cuda:
    print(f"warning: torch {torch.__version__} is a CUDA build; the bundle will be several GB larger", file=sys.stderr)
EOF

echo "== PyInstaller (a few minutes; it analyses torch, transformers, sympy and Qt)"
"$python" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/stepwise.spec

mkdir -p "$bundle/icons"
cp assets/icons/stepwise.svg assets/icons/stepwise-*.png "$bundle/icons/"
cp packaging/stepwise.desktop packaging/install-desktop.sh "$bundle/"
echo "== built $bundle ($(du -sh "$bundle" | cut -f1)); run $bundle/stepwise"
