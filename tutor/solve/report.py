"""A SolveResult for the terminal: the winning solution, answer, confidence, reasons and a cluster table.

Used by `tutor solve`; rich renders the table (plain text when stdout is not a terminal).
"""

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tutor.solve import reasons as say
from tutor.solve.result import SolveResult

SYMBOLIC_STYLE = {"agree": "green", "disagree": "bold red", "unknown": "yellow"}


def cluster_table(result: SolveResult) -> Table:
    """One row per answer cluster in rank order, plus a row for samples with no final answer."""
    table = Table(
        title=f"Answer clusters ({result.strategy}, {len(result.samples)} solutions; verifier score best/mean)",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("answer")
    table.add_column("votes", justify="right")
    table.add_column("best", justify="right")
    table.add_column("mean", justify="right")
    table.add_column("top-k", justify="center")
    table.add_column("solutions, best first")

    def score(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for rank, cluster in enumerate(result.clusters, start=1):
        table.add_row(
            str(rank),
            cluster.answer,
            str(cluster.votes),
            score(cluster.max_score),
            score(cluster.mean_score),
            "yes" if cluster.in_top_k else "no",
            ", ".join(str(i) for i in cluster.members),
            style="bold" if rank == 1 else None,
        )
    unanswered = result.unanswered
    if unanswered:
        table.add_row("-", Text("no final answer", style="dim"), str(len(unanswered)), "", "", "",
                      ", ".join(str(s.index) for s in unanswered))
    return table


def _false_steps(sample, console: Console) -> None:
    for step in sample.false_steps:  # the app marks these on the step; here they follow the solution
        console.print(Text(f"  Step {step.line + 1} does not check out: {step.message}", style="yellow"))


def render(result: SolveResult, console: Console) -> None:
    """Print the result: the solution a student should read first, then the evidence."""
    best = result.best_solution
    if result.notice:  # an ill-posed problem: no solution to read first
        pass
    elif result.worked_by_computation:
        console.print(Panel(Text("\n".join(result.symbolic.steps)), title="Worked by direct computation",
                            title_align="left"))
    elif best is not None and result.overrules(best):
        console.print(Panel(Text(best.text.strip()), title=f"Solution {best.index}, not the answer", title_align="left",
                            style="dim"))
        _false_steps(best, console)
        console.print(Text(f"  {say.ends_elsewhere(best.answer, result.answer)}", style="yellow"))
    elif best is not None:
        console.print(Panel(Text(best.text.strip()), title=f"Solution {best.index}", title_align="left"))
        _false_steps(best, console)
    elif result.samples:  # no answer anywhere: still show what the model wrote
        first = result.samples[0]
        console.print(Panel(Text(first.text.strip() or "(empty)"), title=f"Solution {first.index} (no final answer)",
                            title_align="left", style="dim"))
    if result.notice:
        console.print(Text(f"Can't solve: {result.notice}", style="bold red"))
    headline = Text("Answer: ", style="bold")
    headline.append(result.answer if result.answer is not None else "(none)", style="bold cyan")
    if result.source == "computation":
        headline.append("  (computed directly: no written solution reached it)", style="yellow")
    headline.append(f"    confidence {result.confidence:.0%}")
    if result.cancelled:
        headline.append("    (cancelled: partial result)", style="yellow")
    console.print(headline)
    symbolic = result.symbolic
    if symbolic is not None and symbolic.status not in ("not_applicable", "ill_posed"):
        # where the computation gave the answer, it disagrees with the samples, not with the answer shown
        status = "the answer shown" if result.source == "computation" else symbolic.status
        style = "green" if result.source == "computation" else SYMBOLIC_STYLE.get(symbolic.status, "")
        console.print(Text(f"Symbolic check: {status} ({symbolic.detail})", style=style))
    shown = [reason for reason in result.reasons if symbolic is None or reason != symbolic.detail]
    console.print(Group(*(Text(f"  - {reason}") for reason in shown)))
    console.print(cluster_table(result))
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
    console.print(Text(f"{result.model}: {timings}", style="dim"))
