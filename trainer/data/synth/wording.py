"""Wordings: one synthetic problem written the way different students type it (issue 24).

A template writes its problem once, in formal LaTeX (`Draft.problem`), and optionally a short word problem
(`Draft.word`, plain text with `@name@` / `@name2@` where people's names go). This layer renders either
in one of four wordings; the answer and the solution never change with the wording:

- `latex`: the template's own text (`Compute $\\frac{3}{4} + \\frac{1}{6}$.`);
- `plain`: ASCII math as typed on a keyboard (`Compute 3/4 + 1/6.`, `3*x`, `x^2`, `sqrt(50)`);
- `casual`: the plain text in a chat register: lower case, little punctuation, "whats", "calc", a small
  typo or two in the words (`calc 3/4 + 1/6 pls`);
- `word`: the template's word problem with names filled in, or the plain text where it has none.

`render(draft, wording, rng)` returns None when a wording cannot be made (the LaTeX has something the
plain-text converter does not know); the generator then falls back to the formal text.
"""

from __future__ import annotations

import random
import re

WORDINGS = ("latex", "plain", "casual", "word")
NAMES = ("Ana", "Ben", "Carlos", "Dee", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kim", "Liam", "Maya",
         "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf", "Zoe")

# ---- LaTeX -> plain text --------------------------------------------------------------------------------

_SIMPLE = re.compile(r"-?\w+")  # a token that needs no parentheses after `^`, `_` or as a fraction part
_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
_GROUP_AFTER = re.compile(r"([_^])\{([^{}]*)\}")
_MATRIX = re.compile(r"\\begin\{([pbv])matrix\}(.*?)\\end\{\1matrix\}")
_REPLACEMENTS = (
    (r"\left", ""), (r"\right", ""), (r"\,", " "), (r"\;", " "), (r"\!", ""), (r"\ ", " "), (r"\dfrac", r"\frac"),
    (r"\tfrac", r"\frac"), (r"\cdots", "..."), (r"\cdot", "*"), (r"\times", "*"), (r"\div", "/"), (r"\pi", "pi"), (r"\%", "%"),
    (r"^\circ", " degrees"), (r"\ldots", "..."), (r"\leq", "<="), (r"\geq", ">="),
    (r"\le", "<="), (r"\ge", ">="), (r"\infty", "infinity"), (r"\theta", "theta"), (r"\{", "{"), (r"\}", "}"),
)
_FUNCTIONS = re.compile(r"\\(sin|cos|tan|arcsin|arccos|arctan|log|ln)(?![a-zA-Z])")
_WRAPPERS = re.compile(r"\\(?:mathbf|text|mathrm|operatorname)\{([^{}]*)\}")


def _part(text: str) -> str:
    text = text.strip()
    return text if _SIMPLE.fullmatch(text) or re.fullmatch(r"[\w.]+\(.*\)", text) else f"({text})"


def _matrix(match: re.Match[str]) -> str:
    rows = [[cell.strip() for cell in row.split("&")] for row in match.group(2).split(r"\\")]
    if all(len(row) == 1 for row in rows):  # a column vector
        text = "(" + ", ".join(row[0] for row in rows) + ")"
    else:
        text = "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"
    return f"det {text}" if match.group(1) == "v" else text


def plain_math(latex: str) -> str | None:
    """The content of one math span as ASCII math, or None when something is left that it does not know."""
    text = _MATRIX.sub(_matrix, latex)
    text = re.sub(r"\\binom\{([^{}]*)\}\{([^{}]*)\}", r"(\1 choose \2)", text)
    text = re.sub(r"\\pmod\{([^{}]*)\}", r"(mod \1)", text)
    text = _WRAPPERS.sub(r"\1", text)
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    for _ in range(8):  # innermost groups first: nested fractions, roots of fractions, powers of groups
        before = text
        text = _FRAC.sub(lambda m: f"{_part(m.group(1))}/{_part(m.group(2))}", text)
        text = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", text)
        text = _GROUP_AFTER.sub(lambda m: m.group(1) + _part(m.group(2)), text)
        if text == before:
            break
    text = _FUNCTIONS.sub(r"\1", text)
    text = re.sub(r"(?<![\w)/.])(\w+/\w+)(?=[a-z(])", r"(\1)", text)  # `(9/4)x`, not `9/4x`
    text = re.sub(r"\s+", " ", text).strip()
    return None if "\\" in text or "{" in text or "}" in text else text


def to_plain(latex_text: str) -> str | None:
    """A problem with every `$...$` span turned into ASCII math (None if a span does not convert)."""
    parts = re.split(r"\$([^$]*)\$", latex_text)
    for i in range(1, len(parts), 2):
        converted = plain_math(parts[i])
        if converted is None:
            return None
        parts[i] = converted
    text = "".join(parts)
    return None if "\\" in text or "$" in text else re.sub(r"[ \t]+", " ", text).strip()


# ---- plain -> casual ----------------------------------------------------------------------------------

_OPENERS = ((re.compile(r"^what is "), ("whats ", "what's ", "wat is ", "what is ")),
            (re.compile(r"^(?:compute|evaluate|calculate) "), ("calc ", "compute ", "calculate ", "work out ")),
            (re.compile(r"^find "), ("find ", "how do i find ", "find ")),
            (re.compile(r"^simplify "), ("simplify ", "how do i simplify ")))
_FORMAT_HINT = re.compile(r"\s*Express your answer[^.?]*[.?]|\s*Express the answer[^.?]*[.?]", re.IGNORECASE)
_MATH_WORDS = frozenset({"sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "log", "det", "choose", "mod",
                         "degrees", "infinity", "theta"})
_WORD = re.compile(r"(?<![A-Za-z])[A-Z][a-z']+|(?:^|(?<=[.?!] ))A(?= [a-z])")


def _lower(match: re.Match[str]) -> str:
    """Words and a sentence's article `A` in lower case; `ABC`, `KHLKL`, the digit `A` keep their letters."""
    return match.group().lower()


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def to_casual(plain: str, rng: random.Random) -> str:
    """The plain text as a student might type it in a chat box."""
    text = _FORMAT_HINT.sub("", plain)
    text = _WORD.sub(_lower, text)
    text = re.sub(r"[?!]", "", text)
    text = re.sub(r"(?<![.\s])\.(?=\s|$)|(?<=[a-z]{2}),(?=\s)", "", text)  # not `2.5`, `...`, `1, 2, 3`
    for pattern, choices in _OPENERS:
        if pattern.match(text):
            text = pattern.sub(rng.choice(choices), text, count=1)
            break
    words = [m for m in re.finditer(r"\b[a-z]{5,}\b", text) if m.group() not in _MATH_WORDS]
    chosen = rng.sample(words, min(len(words), rng.choice((0, 1, 1, 2))))
    for match in sorted(chosen, key=lambda m: -m.start()):  # right to left: earlier offsets stay valid
        start, end = match.span()
        text = text[:start] + _typo(match.group(), rng) + text[end:]
    text = re.sub(r"\s+", " ", text).strip()
    return rng.choice(("", "", "", "pls help ", "quick q: ")) + text + rng.choice(("", "", "", " pls", " ??", " thx"))


# ---- word problems and the dispatcher ----------------------------------------------------------------

def fill_names(text: str, rng: random.Random) -> str:
    """`@name@` and `@name2@` replaced by two different names."""
    first, second = rng.sample(NAMES, 2)
    return text.replace("@name@", first).replace("@name2@", second)


def render(problem: str, word: str | None, wording: str, rng: random.Random) -> str | None:
    """The problem text in `wording` (see the module docstring), or None when this problem has no such form."""
    if wording == "latex":
        return problem
    if wording == "word" and word is not None:
        return to_plain(fill_names(word, rng))
    plain = to_plain(problem)
    if plain is None or wording in ("plain", "word"):
        return plain
    if wording == "casual":
        return to_casual(plain, rng)
    raise ValueError(f"unknown wording {wording!r}; choose one of {', '.join(WORDINGS)}")
