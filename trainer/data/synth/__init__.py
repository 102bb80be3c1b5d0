"""Synthetic MATH-style problems with fine-grained, sympy-verified step-by-step solutions.

One module per MATH subject holds its templates (small functions registered with `@template`); importing
this package registers them all. Entry points: `SynthConfig`, `generate`, `write_splits`, `make_problem`.
"""

from trainer.data.synth import (  # noqa: F401  (importing a subject module registers its templates)
    algebra,
    counting,
    everyday,
    geometry,
    highschool,
    intermediate_algebra,
    number_theory,
    prealgebra,
    precalculus,
    school_geometry,
)
from trainer.data.synth.base import LEVELS, REGISTRY, SUBJECTS, Draft, Template
from trainer.data.synth.generate import (
    SynthConfig,
    draft_for,
    generate,
    make_problem,
    templates_by_subject,
    write_splits,
)
from trainer.data.synth.verify import SynthesisBug

__all__ = ["LEVELS", "REGISTRY", "SUBJECTS", "Draft", "SynthConfig", "SynthesisBug", "Template", "draft_for",
           "generate", "make_problem", "templates_by_subject", "write_splits"]
