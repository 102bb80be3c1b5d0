"""The `trainer` command: `trainer run RECIPE`, `trainer data synth`, `trainer eval`, `trainer runs`, ...

Only argument parsing lives here; every subcommand calls the library. Run `trainer --help`.
"""

import argparse
import logging
import sys

from tutor.entry import run_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trainer", description="Train and evaluate Stepwise models.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(commands)
    _add_export_command(commands)
    from trainer.commands import add_training_commands

    add_training_commands(commands)
    return parser


def _add_data_commands(commands: argparse._SubParsersAction) -> None:
    """`trainer data synth` and `trainer data tokenizer` (library: trainer.data)."""
    data = commands.add_parser("data", help="make training data and the tokenizer")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    synth = data_commands.add_parser("synth", help="write synthetic train/validation/test JSONL")
    synth.add_argument("--n", type=int, default=50_000, help="unique problems over all splits")
    synth.add_argument("--seed", type=int, default=0, help="same seed -> byte-identical files")
    synth.add_argument("--out", required=True, help="output folder")
    synth.add_argument("--validation-fraction", type=float, default=0.02)
    synth.add_argument("--test-fraction", type=float, default=0.02)
    synth.add_argument("--no-verify", dest="verify", action="store_false",
                       help="skip re-checking each answer against sympy (faster; tests always verify)")
    synth.set_defaults(func=_data_synth)
    tok = data_commands.add_parser("tokenizer", help="train the byte-level BPE tokenizer on JSONL problems")
    tok.add_argument("data", nargs="+", help="JSONL files (synthetic, MATH or GSM8K)")
    tok.add_argument("--out", required=True, help="output folder for the Hugging Face tokenizer files")
    tok.add_argument("--vocab-size", type=int, default=3072)
    tok.set_defaults(func=_data_tokenizer)
    stats = data_commands.add_parser("stats", help="count problems per subject and level, topic, wording and source")
    stats.add_argument("data", nargs="+", help="JSONL files (synthetic, MATH or GSM8K)")
    stats.add_argument("--templates", action="store_true", help="also count the records of each synthetic template")
    stats.set_defaults(func=_data_stats)


def _data_synth(args: argparse.Namespace) -> int:
    from trainer.data.synth import SynthConfig, write_splits

    config = SynthConfig(n=args.n, seed=args.seed, validation_fraction=args.validation_fraction,
                         test_fraction=args.test_fraction, verify=args.verify, progress=sys.stderr.isatty())
    sizes = write_splits(config, args.out)
    print(" ".join(f"{split}={count}" for split, count in sizes.items()), "->", args.out)
    return 0


def _data_stats(args: argparse.Namespace) -> int:
    from trainer.data.loaders import load_problems
    from trainer.data.stats import coverage_report

    print(coverage_report((item for path in args.data for item in load_problems(path)), templates=args.templates))
    return 0


def _data_tokenizer(args: argparse.Namespace) -> int:
    from trainer.data.loaders import load_problems
    from trainer.data.tokenizer import corpus_texts, train_tokenizer

    problems = [item for path in args.data for item in load_problems(path)]
    print("tokenizer ->", train_tokenizer(corpus_texts(problems), args.out, vocab_size=args.vocab_size))
    return 0


def _add_export_command(commands: argparse._SubParsersAction) -> None:
    """`trainer export-gguf MODEL_DIR --out F.gguf [--quant ...]` (library: trainer.export_gguf)."""
    export = commands.add_parser("export-gguf", help="convert a Llama model folder to GGUF for llama.cpp")
    export.add_argument("model_dir", help="Hugging Face folder: config.json, *.safetensors, tokenizer.json")
    export.add_argument("--out", required=True, help="the .gguf file to write")
    export.add_argument("--quant", choices=("f16", "f32", "q8_0", "q4_k_m"), default="f16",
                        help="weight type (q8_0/q4_k_m need llama-cpp-python)")
    export.set_defaults(func=_export_gguf)


def _export_gguf(args: argparse.Namespace) -> int:
    from trainer.export_gguf import export_gguf

    out = export_gguf(args.model_dir, args.out, args.quant)
    print(f"{args.quant} -> {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv, logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
