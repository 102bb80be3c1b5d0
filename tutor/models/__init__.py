"""Model backends behind one interface: `load(path) -> (Generator, Verifier)`.

    from tutor.models import load
    generator, verifier = load("assets/model")            # HF folder -> transformers (or its model.gguf)
    generator, verifier = load("model.gguf", n_threads=2)  # GGUF file -> llama.cpp
    prompt = generator.solver_prompt("What is 2 + 3?")
    samples = generator.sample([prompt], n=16, temperature=0.7, seed=0)
    scores = verifier.p_correct(["What is 2 + 3?"], [samples[0][0].text])

The backends themselves (`tutor.models.hf`, `tutor.models.llama`) import torch / llama_cpp lazily, only
when `load` picks them, so importing this package stays cheap.
"""

from tutor.errors import ModelLoadError
from tutor.models.base import Generator, Sample, SampleProgress, SequenceLogprob, Verifier
from tutor.models.loader import load

__all__ = ["Generator", "ModelLoadError", "Sample", "SampleProgress", "SequenceLogprob", "Verifier", "load"]
