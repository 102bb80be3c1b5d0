"""The loop a grading worker process runs: JSON jobs in, JSON results out (see `timeout.py`).

Importing this module warms up sympy, latex2sympy and math-verify (their first call compiles regexes and
grammars, about half a second), so workers forked from the forkserver that preloaded it start hot.
"""

from __future__ import annotations

import json
import logging
from multiprocessing.connection import Connection

from tutor.grading.symbolic import parse_answer, symbolic_equivalent

# Operations a caller may request by name; arguments and results must be JSON values.
OPS = {"equivalent": symbolic_equivalent}


def _warm() -> None:
    symbolic_equivalent("\\frac{1}{2}", "x = 0.5")
    symbolic_equivalent("(1, \\sqrt{2})", "\\{1\\}")
    parse_answer.cache_clear()


def serve(conn: Connection) -> None:
    """Answer jobs until the parent closes the pipe."""
    logging.getLogger("math_verify").setLevel(logging.ERROR)  # it warns once that we disabled its alarm
    while True:
        try:
            op, *args = json.loads(conn.recv_bytes().decode())
        except (EOFError, OSError):
            return
        try:
            reply = {"result": OPS[op](*args)}
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        conn.send_bytes(json.dumps(reply).encode())


logging.getLogger("math_verify").setLevel(logging.ERROR)
_warm()
