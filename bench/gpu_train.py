"""Train `trainer/recipes/default-gpu.toml` on a lent GPU and bring the model back (issue 24, section 3).

On the device (python bench/gpu_train.py, with `.device-data` carried): the shared training data is put where
the recipe reads it (`../shared/data` does not travel; `--pack-data` copies it into `.device-data` here
first), the recipe runs end to end with a time limit, and what the repository ships is packed into $OUT
within the device's limits (at most 8 files of <= 16 MiB): the weight shards as they are, and one archive
of everything else (config, tokenizer, card, the run's log). Back here, `--unpack FILES_AT MODEL_DIR`
rebuilds the model folder and writes its q8_0 GGUF; evaluate and calibrate it on the CPU as the tutor runs:
`trainer eval MODEL_DIR ...`, `trainer calibrate MODEL_DIR ...`.

`--tiny` runs the same recipe shrunk to quick.toml's sizes (phases, bf16 shards and packing unchanged), so
the whole path is checked on a CPU in a few minutes before a GPU's time is spent on it.

  python bench/gpu_train.py --pack-data                       # here, once: data into .device-data
  device run: python bench/gpu_train.py --limit 540           # carry [".device-data"]
  python bench/gpu_train.py --unpack FILES_AT assets/model    # here, afterwards
  python bench/gpu_train.py --tiny --out /tmp/gpu-out && python bench/gpu_train.py --unpack /tmp/gpu-out /tmp/m
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "trainer" / "recipes" / "default-gpu.toml"
CARRIED = ROOT / ".device-data"
SHARED = ROOT.parent / "shared" / "data"
DATA_FILES = ("gsm8k_train.jsonl", "math_train_12k.jsonl")
ARCHIVE = "model-rest.tar.gz"


def tiny(recipe: dict) -> dict:
    """default-gpu.toml at quick.toml's sizes: the same phases, data sources and export."""
    quick = tomllib.loads((ROOT / "trainer" / "recipes" / "quick.toml").read_text())
    for table in ("model", "ssft", "candidates", "evaluator", "multitask"):
        recipe[table] = {**recipe[table], **quick[table]}
    recipe["data"] |= {**quick["data"], "gsm8k_problems": 40, "math_problems": 40}
    recipe["threads"] = 1
    return recipe


def train(args) -> int:
    data = CARRIED if CARRIED.is_dir() else SHARED
    missing = [name for name in DATA_FILES if not (data / name).is_file()]
    if missing:
        sys.exit(f"training data missing in {data}: {', '.join(missing)} (run --pack-data where it exists)")
    recipe = tomllib.loads(RECIPE.read_text())
    recipe["data"] |= {"gsm8k_train_file": str(data / DATA_FILES[0]), "math_train_file": str(data / DATA_FILES[1])}
    if args.tiny:
        recipe = tiny(recipe)
    out = Path(args.out or os.environ.get("OUT") or sys.exit("--out or $OUT is needed"))
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="stepwise-gpu-"))
    recipe_file = home / "default-gpu.toml"
    recipe_file.write_text(tomli_w.dumps(recipe))
    log = home / "train.log"
    env = {**os.environ, "STEPWISE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "trainer.cli", "run", str(recipe_file)]
    started = time.perf_counter()
    with log.open("w") as handle:
        try:
            code = subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                  timeout=args.limit).returncode
        except subprocess.TimeoutExpired:
            code = 124
    wall = time.perf_counter() - started
    print(f"trainer run: exit {code} after {wall / 60:.1f} min (log {log})")
    exports = sorted(home.glob("runs/*/export"))
    if code != 0 or not exports:
        shutil.copy2(log, out / "train.log")
        print(log.read_text()[-4000:])
        return code or 1
    pack(exports[-1], log, out)
    return 0


def pack(model_dir: Path, log: Path, out: Path) -> None:
    """The shards as they are, everything else in one archive: within the device's 8 files of <= 16 MiB."""
    shards = sorted(model_dir.glob("*.safetensors"))
    for shard in shards:
        shutil.copy2(shard, out / shard.name)
    with tarfile.open(out / ARCHIVE, "w:gz") as archive:
        for path in sorted(model_dir.iterdir()):
            if path.is_file() and path.suffix != ".safetensors":
                archive.add(path, arcname=path.name)
        archive.add(log, arcname="train.log")
    files = [*shards, out / ARCHIVE]
    print("packed:", ", ".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MiB" for p in files))
    if len(files) > 8 or any(p.stat().st_size > 16 * 2**20 for p in files):
        print("warning: more than the device returns (8 files of <= 16 MiB)")


def unpack(files_at: Path, model_dir: Path) -> int:
    """Rebuild the model folder from the packed files and write its q8_0 GGUF beside the weights."""
    from trainer.export_gguf import export_gguf

    model_dir.mkdir(parents=True, exist_ok=True)
    for stale in model_dir.glob("*.safetensors"):
        stale.unlink()
    for shard in sorted(files_at.glob("*.safetensors")):
        shutil.copy2(shard, model_dir / shard.name)
    with tarfile.open(files_at / ARCHIVE) as archive:
        archive.extractall(model_dir, filter="data")  # "data": no links, no paths outside model_dir
    export_gguf(model_dir, model_dir / "model.gguf", "q8_0")
    size = sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file() and p.name != "train.log")
    print(f"{model_dir}: {size / 1e6:.1f} MB with model.gguf (the repository allows 64 MB)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="where the packed model goes (default $OUT)")
    parser.add_argument("--limit", type=int, default=540, help="seconds the training may run")
    parser.add_argument("--tiny", action="store_true", help="quick.toml's sizes: check the path on a CPU")
    parser.add_argument("--pack-data", action="store_true", help="copy the shared training data into .device-data")
    parser.add_argument("--unpack", nargs=2, type=Path, metavar=("FILES_AT", "MODEL_DIR"))
    args = parser.parse_args()
    if args.pack_data:
        CARRIED.mkdir(exist_ok=True)
        for name in DATA_FILES:
            shutil.copy2(SHARED / name, CARRIED / name)
        print(f"copied {', '.join(DATA_FILES)} into {CARRIED} (add .device-data to .git/info/exclude; carry it)")
        return 0
    if args.unpack:
        return unpack(*args.unpack)
    return train(args)


if __name__ == "__main__":
    sys.exit(main())
