"""The solving engine: sample -> cluster -> solution-cluster re-ranking -> calibrated confidence.

    from tutor.solve import Solver, SolveConfig, rank
    result = Solver(generator, verifier, SolveConfig(n=16, k=8)).solve("Solve 3x + 7 = 22")
    ranked = rank("rr_topk", clusters, scores, k=8)   # the trainer's evaluation: same strategies

No Qt, no torch: everything here runs over the Generator/Verifier protocols of `tutor.models`.
"""

from tutor.solve.calibration import (
    Calibration,
    confidence_features,
    expected_calibration_error,
    fit_calibration,
    load_calibration,
)
from tutor.solve.config import STRATEGIES, SolveConfig
from tutor.solve.result import RankedCluster, SampleRecord, SolveResult, SymbolicCheck
from tutor.solve.solver import SolveEvent, Solver
from tutor.solve.strategies import rank, samples_to_score

__all__ = [
    "STRATEGIES",
    "Calibration",
    "RankedCluster",
    "SampleRecord",
    "SolveConfig",
    "SolveEvent",
    "SolveResult",
    "Solver",
    "SymbolicCheck",
    "confidence_features",
    "expected_calibration_error",
    "fit_calibration",
    "load_calibration",
    "rank",
    "samples_to_score",
]
