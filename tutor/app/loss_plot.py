"""A live loss plot: matplotlib drawn into a Qt widget, one line per training phase."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QSize


class LossPlot(FigureCanvasQTAgg):
    def __init__(self) -> None:
        self.figure = Figure(figsize=(5, 2.6), layout="constrained")
        super().__init__(self.figure)
        self.axes = self.figure.add_subplot()
        self.series: dict[str, list[tuple[int, float]]] = {}
        self.show_series({})

    def sizeHint(self) -> QSize:
        # Qt may still lay the widget out while Python tears it down (attributes gone): answer safely.
        if getattr(self, "figure", None) is None:
            return QSize(500, 260)
        return super().sizeHint()

    def show_series(self, series: Mapping[str, Sequence[tuple[int, float]]]) -> None:
        """Redraw with `series`: phase name -> [(step, loss), ...]."""
        self.series = {phase: list(points) for phase, points in series.items()}
        self.axes.clear()
        self.axes.set_xlabel("step (phases one after another)")
        self.axes.set_ylabel("loss")
        self.axes.grid(alpha=0.3)
        for phase, points in self.series.items():
            if points:
                steps, values = zip(*points)
                self.axes.plot(steps, values, label=phase, linewidth=1.4)
        if any(self.series.values()):
            self.axes.legend(loc="upper right", fontsize="small")
        else:
            self.axes.text(0.5, 0.5, "no loss logged yet", ha="center", va="center", transform=self.axes.transAxes,
                           color="grey")
        self.draw_idle()
