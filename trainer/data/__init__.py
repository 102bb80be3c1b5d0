"""Training data: the `Problem` record, dataset loaders, the synthetic generator and the tokenizer.

Pure Python (no Qt, no torch): `load_problems`, `SynthConfig` / `write_splits` (in `trainer.data.synth`),
`train_tokenizer` (in `trainer.data.tokenizer`, which needs only the `tokenizers` library).
"""

from trainer.data.loaders import iter_problems, load_problems
from trainer.data.problem import Problem

__all__ = ["Problem", "iter_problems", "load_problems"]
