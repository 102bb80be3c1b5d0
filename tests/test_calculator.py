"""The calculator: what a solution's `=` calls for (`tutor.grading.calculator`), and writing it inside decoding
on both backends with real tokenizers (`tutor.models.calculator`).

A tiny model overfitted to write a wrong product (`$12 \\cdot 7 = 85$`) samples `$12 \\cdot 7 = 84$` with the
calculator on, through transformers and llama.cpp, with a tokenizer that splits digits one per token, one
that merges them, and a Qwen2-shaped chat model.
Run: python -m pytest tests/test_calculator.py -q
"""

from fractions import Fraction

import pytest

from tutor.grading.calculator import calculate, completion, format_value, open_math_span
from tutor.models.calculator import CalculatorRun, DecodingCalculator

# left side -> what the calculator writes (None: nothing to compute, or not exactly)
CALCULATE = [
    # integers
    (r"12 \cdot 7", "84"), ("59 - 5", "54"), ("2^{10}", "1024"), ("5!", "120"), (r"\left(3 - 8\right) \cdot 2", "-10"),
    ("48/2", "24"), (r"3 \times 4 + 1", "13"), ("-4 + 1", "-3"), (r"10 \div 4 \cdot 2", "5"),
    # fractions in lowest terms, sign outside
    (r"\frac{3}{4} + \frac{1}{6}", r"\frac{11}{12}"), ("10/4", r"\frac{5}{2}"), ("1 - 3/4", r"\frac{1}{4}"),
    ("2^{-2}", r"\frac{1}{4}"), (r"-\frac{6}{4}", r"-\frac{3}{2}"), (r"\dfrac{6}{-4}", r"-\frac{3}{2}"),
    # decimals when the left side has decimals: exact when they terminate, else rounded
    (r"1.2 \cdot 0.5", "0.6"), ("0.1 + 0.2", "0.3"), ("10.0/3", "3.33"), ("2.5 \\cdot 4", "10"), ("1.005/3", "0.335"),
    # not forced: irrational, undefined, variables, a bare number, already in lowest terms, too long
    (r"\sqrt{2} \cdot 3", None), (r"2\pi", None), ("7/0", None), ("0^{-1}", None), ("3x + 1", None), ("5", None),
    ("-5", None), (r"\frac{3}{2}", None), ("10^{40} + 1", None), ("((2^{200})^{200})^{200}", None),
    ("1/3 \\cdot 0.001", None), ("5 cm + 3", None), ("a, 3 + 4", None), (r"3 \le 4 + 1", None),
    (r"20\% \cdot 40", None), ("20% * 40", None),  # normalising would drop the % and write 800
]


@pytest.mark.parametrize("left, expected", CALCULATE)
def test_calculate(left, expected):
    assert calculate(left) == expected


# the text so far -> what the calculator appends
COMPLETION = [
    ("So $-3x = 59 - 5 =", " 54"), ("So $-3x = 59 - 5 = ", "54"), (r"$12 \cdot 7 =", " 84"),
    ("$x = 15/3 =", " 5"), (r"\(2 + 2 =", " 4"), ("$$6 \\cdot 7 =", " 42"), ("$1$ and $2 + 2 =", " 4"),
    (r"cost \$5 + $2 + 3 =", " 5"),  # an escaped dollar opens no math
    ("12 * 7 =", None),  # outside math
    ("$2 + 2 = 4$ so 3 + 3 =", None),  # the span is closed
    ("$3 <=", None), ("$3 !=", None), ("$a := 3 + 4 =", " 7"), ("$2 + 2 =  ", None),  # two spaces: the model moved on
    (r"$\frac{3 + 4 =", None), ("$f(2 + 2 =", None),  # inside a group
    ("$3x + 7 =", None), ("$x =", None),
]


@pytest.mark.parametrize("text, expected", COMPLETION)
def test_completion(text, expected):
    assert completion(text) == expected


def test_open_math_span_and_format_value():
    assert open_math_span("no math here") is None
    assert open_math_span("$a$ then $b + c") == "b + c"
    assert open_math_span(r"\[x = 1\] and \(y") == "y"
    assert format_value(Fraction(-7, 2)) == r"-\frac{7}{2}"
    assert format_value(Fraction(7, 2), decimals=1) == "3.5"
    assert format_value(Fraction(1, 3), decimals=3) == "0.333"


class ToyTokens:
    """A vocabulary of single characters plus "84" as one token: the calculator must use the tokenizer's own
    split, and refuse a value the tokenizer cannot write back."""

    pieces = [*"0123456789 =$+-.\\{}a", "84"]

    def encode(self, text):
        ids, i = [], 0
        while i < len(text):
            if text.startswith("84", i):
                ids.append(self.pieces.index("84"))
                i += 2
            elif text[i] in self.pieces:
                ids.append(self.pieces.index(text[i]))
                i += 1
            else:
                return [0]  # an unknown character: a wrong encoding the round trip must catch
        return ids

    def decode(self, ids):
        return "".join(self.pieces[i] for i in ids)


def test_the_decoding_calculator_forces_the_value_then_bans_extending_it():
    toy = ToyTokens()
    run = CalculatorRun(DecodingCalculator(toy.encode, toy.decode, toy.pieces))
    text = "$12+72"
    equals = toy.pieces.index("=")
    run.observe(0, equals, lambda: text + "=")
    assert run.next_token(0, sampled=5) == toy.pieces.index(" ")
    assert run.next_token(0, sampled=5) == toy.pieces.index("84"), "the tokenizer's own token for 84"
    assert run.banned([0, 1]) == [0], "the token after the value may not extend it"
    import numpy as np

    logits = np.zeros((2, len(toy.pieces)), dtype=np.float32)
    run.mask(logits, [0])
    assert np.isneginf(logits[0, toy.pieces.index("7")]) and np.isneginf(logits[0, toy.pieces.index(".")])
    assert logits[0, toy.pieces.index("$")] == 0 and not np.isneginf(logits[1]).any()
    assert run.next_token(0, sampled=7) == 7 and run.banned([0]) == []
    assert run.spans(0, text_length=100) == ((7, 10),)
    run.observe(1, equals, lambda: "$2.5a=")  # not computable: nothing forced
    assert run.next_token(1, sampled=3) == 3


@pytest.fixture(scope="module")
def llama_cpp_module():
    return pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")


PROBLEM = "What is 12 times 7?"
WRONG = "We multiply: $12 \\cdot 7 = 85$.\nThe final answer is $\\boxed{85}$."


def _trained(kind: str, folder):
    """A tiny model of `kind` overfitted to answer PROBLEM with WRONG."""
    from tiny_llama import CHATML_TEMPLATE, build_model, build_qwen2_chat_model

    from tutor.models.prompting import PromptFormat

    if kind == "qwen2":
        prompt = PromptFormat(CHATML_TEMPLATE, "", "<|im_end|>").solver_prompt(PROBLEM)
        return build_qwen2_chat_model(folder, train_steps=80, corpus=[prompt + WRONG])
    prompt = PromptFormat(None, "<|bos|>", "<|eos|>").solver_prompt(PROBLEM)
    return build_model(folder, digits=kind == "llama-digits", train_steps=80, corpus=[prompt + WRONG])


@pytest.mark.parametrize("kind", ["llama-digits", "llama-merged-digits", "qwen2"])
@pytest.mark.parametrize("backend", ["transformers", pytest.param("llama.cpp", marks=pytest.mark.gguf)])
def test_a_model_that_writes_a_wrong_product_samples_the_right_one(kind, backend, tmp_path, request):
    from tutor.models import load

    folder = _trained(kind, tmp_path / kind)
    if backend == "llama.cpp":
        request.getfixturevalue("llama_cpp_module")
        from trainer.export_gguf import export_gguf

        path = export_gguf(folder, tmp_path / "model.gguf", "f32")
        generator, _ = load(path, n_threads=1, n_parallel=4, f32_attention=True)
    else:
        generator, _ = load(folder, backend="transformers", device="cpu")
    prompt = generator.solver_prompt(PROBLEM)
    plain = generator.sample([prompt], n=1, temperature=0.0, max_new_tokens=40)[0][0]
    assert plain.text.startswith("We multiply: $12 \\cdot 7 = 85$"), "the model was trained to get it wrong"
    assert plain.computed == ()
    rows = generator.sample([prompt] * 2, n=2, temperature=0.0, max_new_tokens=40, calculator=True)
    for sample in (s for row in rows for s in row):  # batched sequences, each with its own calculator state
        assert sample.text.startswith("We multiply: $12 \\cdot 7 = 84"), sample.text
        assert not sample.text[len("We multiply: $12 \\cdot 7 = 84")].isdigit(), "the number was not extended"
        (start, end), *_ = sample.computed
        assert sample.text[start:end].strip() == "84"
