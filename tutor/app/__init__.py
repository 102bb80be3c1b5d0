"""The Stepwise desktop app (PySide6): a thin layer over tutor.solve, tutor.models, tutor.store and the
trainer's command line (run as a separate process, never imported).

Open it with `tutor` (no arguments) or `python -m tutor.app.main`. The pieces:

- main.py / first_run.py   QApplication, first-run checks, the window, smoke mode
- window.py                tabs (Solve, Review, History, Settings, Retrain) and the status-bar notifier
- session.py               the app's state and its only door to the library (starts workers, emits signals)
- jobs.py, runs.py         the library calls as plain functions (no Qt): solve, grade, store, recipes
- workers.py               Worker objects on QThreads: progress / finished / failed signals
- trainer_process.py       the trainer as a QProcess; its output parsed into progress events
- *_view.py, loss_plot.py  widgets: they show things and forward clicks, they never compute
- qt_models.py             QAbstractTableModel adapters over plain lists (clusters, history, runs)
- math_render.py           LaTeX drawn with matplotlib mathtext into HTML images (screen and export)
- present.py, export.py    wording/colours of a result; Markdown/HTML/JSONL export
"""
