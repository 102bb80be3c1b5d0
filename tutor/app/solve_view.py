"""The Solve tab: problem editor with live preview, Solve/Cancel, progress and "thinking", the result.

The result panel shows the confidence banner, the winning solution step by step (math rendered), hint mode
(reveal one step at a time, answer hidden) and "Check my answer", which grades the student's answer against
the clusters without revealing the solution. All work goes through `Session`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tutor.app import math_render, present
from tutor.app.jobs import SolvedProblem, describe_progress
from tutor.app.session import Session

PREVIEW_DELAY_MS = 250
# Green and red only where the direct computation decided; the samples' word is never more than amber.
CHECK_COLOURS = {"correct": "#d7f0d2", "incorrect": "#f8d4d0", "top": "#fbeec5", "minority": "#fbeec5",
                 "none": "#fbeec5", "empty": "#eeeeee"}
FALSE_STEP_COLOUR = "#f8d4d0"  # a step whose arithmetic does not hold, in the low-confidence red


def math_browser(min_height: int = 80) -> QTextBrowser:
    browser = QTextBrowser()
    browser.setOpenLinks(False)
    browser.setMinimumHeight(min_height)
    font = browser.font()
    font.setPointSize(12)
    browser.setFont(font)
    return browser


class SolveView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.revealed_steps = 0
        self._steps: list[tuple[str, list[str]]] = []  # (step, its false arithmetic) of the shown solution
        self._boxed_is_answer = True  # whether the shown solution's boxed answer is the tutor's answer
        self._last_preview = ""

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Type a problem; inline LaTeX such as $\\frac{3}{4} + x^2$ is fine.")
        self.preview = math_browser(60)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self.editor.textChanged.connect(self._preview_timer.start)

        self.solve_button = QPushButton("Solve  (Ctrl+Enter)")
        self.solve_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel  (Esc)")
        self.cancel_button.setEnabled(False)
        self.hint_mode = QCheckBox("Hint mode: hide the answer, reveal steps one at a time")
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m solutions")
        self.progress.setRange(0, session.settings.n)  # the configured N, until a solve says otherwise
        self.progress.setValue(0)
        self.stage_label = QLabel()
        self.thinking = QPlainTextEdit(readOnly=True)
        self.thinking.setPlaceholderText("While sampling, one solution being written appears here.")
        self.thinking.setMaximumHeight(90)
        self.thinking.hide()  # shown while sampling only: afterwards the result needs the room

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.RichText)
        # Word-wrapped labels get squeezed by the browsers below them; reserve their lines.
        self.banner.setMinimumHeight(34)
        self.reason.setMinimumHeight(36)
        for label in (self.banner, self.reason):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.answer_view = math_browser(36)
        self.answer_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps_view = math_browser(120)
        self.next_step_button = QPushButton("Reveal next step")
        self.show_all_button = QPushButton("Show the whole solution")
        self.student_answer = QLineEdit(placeholderText="Your final answer, e.g. 3/4 or \\frac{3}{4}")
        self.check_button = QPushButton("Check my answer")
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        self.check_result.setMinimumHeight(30)

        self._layout()
        self._connect()
        self.show_empty_result()

    def _layout(self) -> None:
        problem_box = QGroupBox("Problem")
        problem_layout = QVBoxLayout(problem_box)
        editors = QSplitter(Qt.Orientation.Horizontal)
        editors.addWidget(self.editor)
        editors.addWidget(self.preview)
        for box in (self.editor, self.preview):  # (a maximum set on the splitter itself does not hold)
            box.setMaximumHeight(110)
        problem_layout.addWidget(editors)
        buttons = QHBoxLayout()
        for widget in (self.solve_button, self.cancel_button, self.hint_mode):
            buttons.addWidget(widget)
        buttons.addStretch()
        problem_layout.addLayout(buttons)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stage_label, 1)
        problem_layout.addLayout(progress_row)
        problem_layout.addWidget(self.thinking)

        result_box = QGroupBox("Result")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.banner)
        result_layout.addWidget(self.reason)
        result_layout.addWidget(self.answer_view)
        result_layout.addWidget(self.steps_view, 1)
        reveal_row = QHBoxLayout()
        reveal_row.addWidget(self.next_step_button)
        reveal_row.addWidget(self.show_all_button)
        reveal_row.addStretch()
        result_layout.addLayout(reveal_row)
        check_row = QHBoxLayout()
        check_row.addWidget(self.student_answer, 1)
        check_row.addWidget(self.check_button)
        result_layout.addLayout(check_row)
        result_layout.addWidget(self.check_result)

        # The problem box keeps its natural height (it shrinks when the thinking view hides after
        # sampling); the result gets all the rest.
        problem_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.addWidget(problem_box, 0)
        layout.addWidget(result_box, 1)

    def _connect(self) -> None:
        self.solve_button.clicked.connect(self.solve)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.solve)
        QShortcut(QKeySequence("Escape"), self, activated=self.session.cancel_solve)
        # The editor itself also takes Ctrl+Enter: a shortcut fires only in the active window, key events
        # reach the focused editor regardless (e.g. while another app's window is on top).
        self.editor.installEventFilter(self)
        self.cancel_button.clicked.connect(self.session.cancel_solve)
        self.next_step_button.clicked.connect(self.reveal_next_step)
        self.show_all_button.clicked.connect(self.reveal_all)
        self.check_button.clicked.connect(self.check_answer)
        self.student_answer.returnPressed.connect(self.check_answer)
        self.hint_mode.toggled.connect(self._hint_mode_toggled)
        self.session.solve_started.connect(self._on_started)
        self.session.solve_progress.connect(self._on_progress)
        self.session.solve_finished.connect(self.show_result)
        self.session.solve_failed.connect(self._on_failed)
        self.session.answer_checked.connect(self._on_checked)
        self.session.model_loading.connect(self._show_model_state)
        self.session.model_changed.connect(self._show_model_state)
        self.session.model_failed.connect(self._show_model_state)
        self._show_model_state()

    def _show_model_state(self, *_: object) -> None:
        """Between solves, the label says whether a model is there to solve with (never "Ready." while the
        model is still loading) and the bar counts the configured N."""
        if self.session.solving:
            return
        if self.session.loading_model:
            self.stage_label.setText("Loading the model… (a problem can be typed meanwhile)")
        elif self.session.generator is None:
            self.stage_label.setText("No model loaded: choose one in Settings.")
        elif self.session.current is None:
            self.stage_label.setText(f"Ready: {self.session.model_name}.")
        if self.session.current is None:
            self.progress.setRange(0, self.session.settings.n)
            self.progress.setValue(0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_model_state()  # N may have changed in Settings

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # getattr: while the window is torn down Qt may still deliver events after Python attributes are gone.
        if (event.type() == QEvent.Type.KeyPress and watched is getattr(self, "editor", None)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.solve()
            return True
        return super().eventFilter(watched, event)

    # -- problem -------------------------------------------------------------------------------------
    def update_preview(self) -> None:
        math_render.render_html(self.editor.toPlainText()).install(self.preview.document())

    def solve(self) -> None:
        self.session.solve(self.editor.toPlainText())

    def _on_started(self, problem: str) -> None:
        self.update_preview()
        self.solve_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, self.session.settings.n)
        self.progress.setValue(0)
        self.stage_label.setText("Sampling solutions…")
        self.thinking.clear()
        self.thinking.show()
        self._last_preview = ""

    def _on_progress(self, event: object) -> None:
        progress = describe_progress(event)
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        if progress.stage == "sampling" and progress.total:
            self.stage_label.setText(present.sampling_line(progress, hide_answer=self.hint_mode.isChecked()))
        elif progress.stage == "verifying" and progress.total:
            self.stage_label.setText(f"Verifying: {progress.done}/{progress.total} solutions scored")
        else:
            self.stage_label.setText(progress.stage.capitalize() + "…")
        if progress.preview:
            self._last_preview = progress.preview
            if self.hint_mode.isChecked():  # a streamed solution would give the answer away
                self.thinking.setPlainText("(thinking… the samples stay hidden in hint mode)")
                return
            self.thinking.setPlainText(progress.preview)
            self.thinking.verticalScrollBar().setValue(self.thinking.verticalScrollBar().maximum())

    def _on_failed(self, message: str) -> None:
        self._idle()
        self.stage_label.setText(f"Stopped: {message}")

    def _idle(self) -> None:
        self.solve_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.thinking.hide()

    # -- result --------------------------------------------------------------------------------------
    def show_empty_result(self) -> None:
        self.banner.setText("<i>No result yet: type a problem and press Ctrl+Enter.</i>")
        self.reason.clear()
        self.answer_view.clear()
        self.steps_view.clear()
        for widget in (self.next_step_button, self.show_all_button, self.check_button, self.student_answer):
            widget.setEnabled(False)

    def show_result(self, solved: SolvedProblem) -> None:
        self._idle()
        result = solved.result
        if self.editor.toPlainText().strip() != result.problem.strip():
            self.editor.setPlainText(result.problem)
        self.stage_label.setText("Cancelled." if result.cancelled else f"Done in {result.timings.get('total', 0):.1f} s.")
        if not result.cancelled:
            self.progress.setValue(self.progress.maximum())
        band = present.confidence_band(result.confidence) if result.answer is not None else present.confidence_band(0)
        self.banner.setText(f"<b>{present.headline(result)}</b>")
        self.banner.setStyleSheet(f"background-color: {band.colour}; padding: 6px; border-radius: 4px;")
        self._steps = present.shown_steps(result)
        self._boxed_is_answer = present.boxed_is_answer(result)
        hide = self.hint_mode.isChecked() and result.answer is not None  # nothing to give away otherwise
        self.revealed_steps = 0 if hide else len(self._steps)
        self.check_result.clear()
        self.check_result.setStyleSheet("")  # no coloured bar left over from the last problem's check
        self.student_answer.clear()
        for widget in (self.next_step_button, self.show_all_button, self.check_button, self.student_answer):
            widget.setEnabled(result.answer is not None)
        self._render_steps()

    @property
    def answer_revealed(self) -> bool:
        return self.revealed_steps >= len(self._steps)

    def _render_steps(self) -> None:
        current = self.session.current
        answer = current.result.answer if current is not None else None
        if current is not None:
            # Every reason on screen, one per line; while the answer is hidden only the vote share is given.
            lines = present.reasons(current.result, hide_answer=not self.answer_revealed)
            rendered = [math_render.render_html(f"• {line}") for line in lines]  # answers in them drawn as math
            self.reason.setText(math_render.merge(rendered).with_data_uris())
            self.reason.setToolTip("\n".join(current.result.reasons) if self.answer_revealed else "")
        if self.answer_revealed:
            math_render.render_html(f"Answer: {present.answer_latex(answer)}").install(self.answer_view.document())
            self.answer_view.setAccessibleDescription(f"Final answer: {answer}")
            self._fit_height(self.answer_view)
            self.thinking.setPlainText(self._last_preview)
        else:
            self.answer_view.setHtml("<p><i>Answer hidden — reveal the steps, or check your own answer below.</i></p>")
            self.answer_view.setAccessibleDescription("Final answer hidden")
            self._fit_height(self.answer_view)
        parts = []
        for number, (step, flags) in enumerate(self._steps[: self.revealed_steps], start=1):
            rendered = math_render.render_html(step)
            # The final step (with the boxed answer) is highlighted like the answer above.
            # (not when that box is a written solution's answer the direct computation overruled)
            style = ' style="background-color: #fff3b0"' if present.has_boxed(step) and self._boxed_is_answer else ""
            rendered.html = rendered.html.replace("<p>", f"<p{style}><b>Step {number}.</b>&nbsp; ", 1)
            parts.append(rendered)
            for problem in flags:  # the tutor checks its own arithmetic, and says so
                warning = math_render.render_html(f"⚠ {problem}")
                warning.html = warning.html.replace("<p>", f'<p style="background-color: {FALSE_STEP_COLOUR}">', 1)
                parts.append(warning)
        math_render.merge(parts).install(self.steps_view.document())
        remaining = len(self._steps) - self.revealed_steps
        self.next_step_button.setEnabled(remaining > 0)
        self.show_all_button.setEnabled(remaining > 0)
        self.next_step_button.setText(f"Reveal next step ({remaining} left)" if remaining else "All steps shown")

    @staticmethod
    def _fit_height(browser: QTextBrowser, most: int = 160) -> None:
        """Size a one-item browser to its content (a matrix answer is taller than a number)."""
        document = browser.document()
        document.setTextWidth(max(200, browser.viewport().width()))
        browser.setFixedHeight(min(most, int(document.size().height()) + 2 * browser.frameWidth() + 4))

    def reveal_next_step(self) -> None:
        self.revealed_steps = min(self.revealed_steps + 1, len(self._steps))
        self._render_steps()

    def reveal_all(self) -> None:
        self.revealed_steps = len(self._steps)
        self._render_steps()

    def _hint_mode_toggled(self, hidden: bool) -> None:
        if self.session.current is not None:
            self.revealed_steps = 0 if hidden else len(self._steps)
            self._render_steps()

    # -- the student's answer ------------------------------------------------------------------------
    def check_answer(self) -> None:
        self.check_result.setText("Checking…")
        self.session.check_answer(self.student_answer.text())

    def _on_checked(self, check) -> None:  # a tutor.solve.check.AnswerCheck
        self.check_result.setText(check.message)
        self.check_result.setStyleSheet(f"background-color: {CHECK_COLOURS[check.verdict]}; padding: 4px;")
