"""The grader functions trainer.data uses: tutor.grading once it lands, a stand-in until then."""

try:
    from tutor.grading import extract_answer, is_equivalent
except ImportError:  # TEMPORARY until tutor.grading lands: last \boxed{} + math-verify
    import math_verify

    def extract_answer(text: str) -> str | None:
        start = text.rfind("\\boxed{")
        if start < 0:
            return None
        depth, i = 0, start + len("\\boxed")
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return text[i + 1 : j]
        return None

    def is_equivalent(a: str | None, b: str | None, timeout: float = 1.0) -> bool:
        if a is None or b is None:
            return False
        if "".join(a.split()) == "".join(b.split()):
            return True
        return bool(math_verify.verify(math_verify.parse(f"${b}$"), math_verify.parse(f"${a}$")))

__all__ = ["extract_answer", "is_equivalent"]
