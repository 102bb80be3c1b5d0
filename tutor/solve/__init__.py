"""The solving engine: sample -> cluster -> solution-cluster re-ranking -> calibrated confidence.

    from tutor.solve import Solver, SolveConfig, rank
    result = Solver(generator, verifier, SolveConfig(n=16, k=8)).solve("Solve 3x + 7 = 22")
    ranked = rank("rr_topk", clusters, scores, k=8)   # the trainer's evaluation: same strategies

No Qt, no torch: everything here runs over the Generator/Verifier protocols of `tutor.models`.
Names are imported on first use, so `tutor.solve.config` (the CLI's argument defaults) loads without
sympy or the grader.
"""

import importlib

_EXPORTS = {
    "Calibration": "calibration",
    "confidence_features": "calibration",
    "expected_calibration_error": "calibration",
    "fit_calibration": "calibration",
    "load_calibration": "calibration",
    "STRATEGIES": "config",
    "SolveConfig": "config",
    "RankedCluster": "result",
    "SampleRecord": "result",
    "SolveResult": "result",
    "SymbolicCheck": "result",
    "SolveEvent": "solver",
    "Solver": "solver",
    "rank": "strategies",
    "samples_to_score": "strategies",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tutor.solve' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tutor.solve.{_EXPORTS[name]}"), name)
