"""PNG charts of an evaluation (`trainer eval --plot DIR`): accuracy of every strategy next to its oracle
bounds, accuracy vs the number of samples N for each strategy, and the verifier's reliability diagram
(mean verifier score vs the fraction of correct samples per bin).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trainer.eval import METRIC_ORDER, EvalReport, ProblemResult, accuracy_by_n


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
    ax.set_xlabel("verifier score")
    ax.set_ylabel("fraction correct")
    ax.set_title("verifier reliability")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scaling_chart(curves: dict[str, dict[int, float]], greedy: float, k: int, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.axhline(100 * greedy, color="#888", linestyle=":", label="Pass@1 (greedy)")
    for metric in METRIC_ORDER:
        if metric in curves:
            sizes = sorted(curves[metric])
            oracle = metric in ("MajK@N", "Pass@N")
            ax.plot(sizes, [100 * curves[metric][n] for n in sizes], marker="o", linestyle="--" if oracle else "-",
                    label=metric.replace("@N", "@n").replace("Top-K", f"Top-{k}").replace("MajK", f"Maj{k}"))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("samples per problem (n)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("accuracy vs number of samples (dashed: oracle bounds)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(report: EvalReport, results: Sequence[ProblemResult], out_dir: Path) -> list[Path]:
    """strategies.png, reliability.png, and accuracy_vs_n.png when the results carry each sample's answer."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [strategy_chart(report, out_dir / "strategies.png"), reliability_chart(results, out_dir / "reliability.png")]
    curves = accuracy_by_n(results, report.k)
    if curves:
        written.append(scaling_chart(curves, report.metrics.get("Pass@1", 0.0), report.k, out_dir / "accuracy_vs_n.png"))
    return written
