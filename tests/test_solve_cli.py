"""`tutor solve`: one problem (report, --json), JSONL batches (--file/--out), and user errors.

The model is the scripted test double (tests/solve_fakes.py) put behind `tutor.models.load`.
Run: python -m pytest tests/test_solve_cli.py -x -q
"""

import json
import os
import signal
import threading

import pytest
from solve_fakes import ScriptedModel, solution

import tutor.models
from tutor import cli
from tutor.solve.command import cancel_on_ctrl_c

SCRIPT = [solution("4", "a"), solution("4", "b"), solution("5", "c"), "no answer here"]
SCORES = {SCRIPT[0]: 0.4, SCRIPT[1]: 0.3, SCRIPT[2]: 0.2}


@pytest.fixture
def loaded(monkeypatch):
    """Every `load` call returns a fresh scripted model; the calls are recorded."""
    calls = []

    def fake_load(path=None, device="auto", **options):
        calls.append({"path": path, "device": device})
        model = ScriptedModel(SCRIPT, SCORES)
        return model, model

    monkeypatch.setattr(tutor.models, "load", fake_load)
    return calls


def test_one_problem_prints_solution_answer_confidence_and_clusters(loaded, capsys):
    assert cli.main(["solve", "What is 2 + 2?", "--n", "4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Answer: 4" in out and "confidence" in out
    # The written solutions that reach 4 are rated 40 %: the computation's own steps are printed instead
    assert "Worked by direct computation" in out and "Compute: $2 + 2 = 4$." in out
    assert "The answer is \\boxed{4}" not in out and "rated only 40% likely correct" in out
    # The direct computation (4) settles it, so the votes order the clusters and no alternative is scored.
    assert "no final answer" in out and "Answer clusters (maj1, 4 solutions;" in out
    assert loaded == [{"path": None, "device": "auto"}], "no --model means the bundled default"


def test_json_output_is_the_solve_result(loaded, capsys):
    args = ["solve", "What is 2 + 2?", "--n", "4", "--strategy", "maj1", "--fixed-n", "--json", "--model", "m.gguf"]
    assert cli.main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answer"] == "4" and data["strategy"] == "maj1" and data["config"]["n"] == 4
    assert data["config"]["adaptive"] is False and len(data["samples"]) == 4, "--fixed-n draws all N"
    assert [c["answer"] for c in data["clusters"]] == ["4", "5"]
    assert loaded[0]["path"] == "m.gguf"


@pytest.mark.parametrize("flags, step_check", [([], True), (["--no-step-check"], False)])
def test_the_step_check_is_on_unless_turned_off(loaded, capsys, flags, step_check):
    assert cli.main(["solve", "What is 2 + 2?", "--n", "4", "--json", *flags]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["step_check"] is step_check


def test_batch_writes_one_line_per_problem_with_correctness(loaded, tmp_path, capsys):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(
        json.dumps({"id": "a", "problem": "What is 2 + 2?", "answer": "4"}) + "\n\n"
        + json.dumps({"question": "Two plus three?", "answer": "... #### 5"}) + "\n"
    )
    out = tmp_path / "results.jsonl"
    assert cli.main(["solve", "--file", str(problems), "--out", str(out), "--n", "4"]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["line"] for line in lines] == [1, 3]
    assert lines[0]["input"]["id"] == "a" and lines[0]["result"]["answer"] == "4"
    # "Two plus three?" is directly computable: its 5 decides over the samples' majority
    assert [line["correct"] for line in lines] == [True, True]
    assert lines[1]["result"]["symbolic"]["status"] == "agree" and lines[1]["result"]["answer"] == "5"
    assert "solved 2 of 2 problems" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"problem": "ok"}\n{"problem": ', "problems.jsonl:2: not valid JSON"),
        ('{"problem": "ok"}\n{"text": "no problem field"}\n', "problems.jsonl:2: missing or empty \"problem\""),
        ('["a list"]\n', "problems.jsonl:1: expected a JSON object"),
        ("\n\n", "no problems in the file"),
    ],
    ids=["bad json", "missing field", "not an object", "empty"],
)
def test_a_bad_batch_file_fails_before_any_solve(loaded, tmp_path, capsys, content, message):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(content)
    out = tmp_path / "results.jsonl"
    assert cli.main(["solve", "--file", str(problems), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists(), "nothing written, no model time spent"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["solve"], "give one problem"),
        (["solve", "x", "--file", "p.jsonl"], "give one problem"),
        (["solve", "What is 1+1?", "--n", "0"], "n must be at least 1"),
        (["solve", "What is 1+1?", "--top-p", "1.5"], "top_p must be in (0, 1]"),
        (["solve", "   "], "the problem is empty"),
    ],
)
def test_user_errors_are_messages_with_exit_code_2(loaded, capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_missing_model_is_a_model_load_error(capsys, tmp_path):
    assert cli.main(["solve", "What is 1+1?", "--model", str(tmp_path / "nowhere")]) == 2
    assert "error:" in capsys.readouterr().err


def test_first_ctrl_c_cancels_the_solve_and_the_second_interrupts():
    cancel = threading.Event()
    previous = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with cancel_on_ctrl_c(cancel):
            os.kill(os.getpid(), signal.SIGINT)
            assert cancel.is_set(), "the first Ctrl-C asks for a partial result"
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is previous, "the handler is put back"


def test_a_false_step_of_the_shown_solution_is_printed_after_it():
    """The app marks a false step on the step itself; the terminal shows the solution as text, so it says
    which step does not check out right after it (a tutor must not show `10/3 = 5` as if it held)."""
    import io

    from rich.console import Console

    from tutor.solve.report import render
    from tutor.solve.result import FalseStep, RankedCluster, SampleRecord, SolveResult

    sample = SampleRecord(0, "3x = 10\n$x = \\frac{10}{3} = 5$\nThe final answer is $\\boxed{5}$.", "5", score=0.1,
                          false_steps=[FalseStep(1, "$\\frac{10}{3} = 5$ does not hold: $\\frac{10}{3}$ is 10/3")])
    cluster = RankedCluster("5", [0], votes=1, score=0.1, mean_score=0.1, max_score=0.1)
    out = io.StringIO()
    render(SolveResult("Solve 3x + 7 = 22", [sample], [cluster], "5", 0.99, []), Console(file=out, width=120))
    assert "Step 2 does not check out: $\\frac{10}{3} = 5$ does not hold" in out.getvalue()


def test_a_solution_the_computation_overruled_is_printed_as_an_attempt():
    import io

    from rich.console import Console

    from tutor.solve.report import render
    from tutor.solve.result import RankedCluster, SampleRecord, SolveResult, SymbolicCheck

    sample = SampleRecord(0, "3x = -3\nThe final answer is $\\boxed{-1}$.", "-1")
    cluster = RankedCluster("-1", [0], votes=1, score=None)
    out = io.StringIO()
    render(SolveResult("Solve 3x + 7 = 22", [sample], [cluster], "5", 0.99, [], source="computation",
                       symbolic=SymbolicCheck("disagree", "5", "equation")), Console(file=out, width=200))
    printed = out.getvalue()
    assert "Solution 0, not the answer" in printed and "ends with $-1$, not the directly computed $5$" in printed
    assert printed.index("not the directly computed") < printed.index("Answer: 5")


def test_the_computations_worked_steps_are_printed_as_the_solution():
    import io

    from rich.console import Console

    from tutor.solve.report import render
    from tutor.solve.result import RankedCluster, SampleRecord, SolveResult, SymbolicCheck

    sample = SampleRecord(0, "3x = -3\nThe final answer is $\\boxed{-1}$.", "-1")
    worked = ["Subtract $7$ from both sides: $3x = 22 - 7 = 15$.", "The final answer is $\\boxed{5}$."]
    out = io.StringIO()
    render(SolveResult("Solve 3x + 7 = 22", [sample], [RankedCluster("-1", [0], votes=1, score=None)], "5", 0.99, [],
                       source="computation", symbolic=SymbolicCheck("disagree", "5", "equation", "", worked)),
           Console(file=out, width=200))
    printed = out.getvalue()
    assert "Worked by direct computation" in printed and worked[0] in printed
    assert "Symbolic check: the answer shown" in printed and "disagree" not in printed
    assert "\\boxed{-1}" not in printed.split("Answer:")[0], "the wrong attempt is not shown as the solution"
