"""PNG charts of an evaluation (`trainer eval --plot DIR`): accuracy of every strategy next to its oracle
bounds, and the verifier's reliability diagram (mean S_cls vs the fraction of correct samples per bin).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trainer.eval import METRIC_ORDER, EvalReport, ProblemResult


def strategy_chart(report: EvalReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [m for m in METRIC_ORDER if m in report.metrics]
    labels = [m.replace("@N", f"@{report.n}").replace("Top-K", f"Top-{report.k}").replace("MajK", f"Maj{report.k}")
              for m in names]
    values = [100 * report.metrics[m] for m in names]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    bars = ax.bar(labels, values, color=["#888"] + ["#3a7"] * (len(names) - 3) + ["#bbb", "#bbb"])
    ax.bar_label(bars, fmt="%.1f")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"{report.problems} problems, N = {report.n}, K = {report.k} (grey: greedy and oracle bounds)")
    ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def reliability_chart(results: Sequence[ProblemResult], path: Path, bins: int = 10) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = [(s, y) for r in results for s, y in zip(r.scores, r.sample_correct)]
    centers, accuracy, counts = [], [], []
    for b in range(bins):
        chosen = [y for s, y in pairs if min(int(s * bins), bins - 1) == b]
        if chosen:
            centers.append((b + 0.5) / bins)
            accuracy.append(sum(chosen) / len(chosen))
            counts.append(len(chosen))
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="#999", label="perfectly calibrated")
    ax.scatter(centers, accuracy, s=[20 + 200 * c / max(counts) for c in counts], color="#37a", label="samples per bin")
    ax.set_xlabel("verifier S_cls")
    ax.set_ylabel("fraction correct")
    ax.set_title("verifier reliability")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(report: EvalReport, results: Sequence[ProblemResult], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [strategy_chart(report, out_dir / "strategies.png"), reliability_chart(results, out_dir / "reliability.png")]
