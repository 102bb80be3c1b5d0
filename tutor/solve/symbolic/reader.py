"""Reading a problem's words: what it asks, and the math spans it hands to the shared parser.

A problem is read in three passes, and every word must be accounted for: a word the reader does not know
makes the problem "not directly computable", because a condition it did not read could change the answer
("Solve 3x + 7 = 22 where x is even").

1. `clean`: notation to one spelling (math delimiters and LaTeX spacing dropped, `\\dfrac` to `\\frac`,
   `×` to `\\times`, `sqrt(50)` to `\\sqrt(50)`, number words to digits) and phrases with numbers in them to math
   (`20% of 45` -> `(20/100) \\cdot 45`, `log base 3 of 81` -> `\\log_{3}{81}`, `10 choose 3` -> `\\binom{10}{3}`,
   `divide 5 by 0` -> `(5)/(0)`, `the determinant of \\begin{pmatrix}` -> `\\det\\begin{pmatrix}`).
2. `segment`: the text as words, punctuation and maximal math spans (a comma or period inside brackets
   belongs to the math; a word inside brackets makes the problem unreadable).
3. `phrases`: phrases over spans, computed and put back as numbers (`the remainder when E is divided
   by N`, `E mod N`, `gcd(12, 18)`, `the lcm of 4, 6 and 10`) and word operators (`1.2 times 0.5`).

What is left must be filler (`FILLER`: "what is", "calculate", "solve for", polite words) around math.
"""

from __future__ import annotations

import re

import sympy

from tutor.solve.symbolic import spelling
from tutor.solve.symbolic.algebra import (
    ALGEBRA_WORDS,
    answer_form,
    coefficient,
    digits,
    extremum,
    full_turn,
    inequality,
    inverse,
    line_equation,
)
from tutor.solve.symbolic.phrases import (
    OPERAND_ENDS,
    PHRASE_WORDS,
    Evaluate,
    gcd_lcm,
    postfix_words,
    remainder,
    word_operators,
)
from tutor.solve.symbolic.questions import (
    CHOICE_WORDS,
    QUESTION_WORDS,
    derivative,
    factorization,
    function_value,
    limit,
    point_answer,
    points,
    rewrite,
    root_choice,
    series_sum,
    statistics,
)
from tutor.solve.symbolic.segments import IllPosed, NotReadable, Reading, Segment

__all__ = ["FILLER", "IllPosed", "NotReadable", "Reading", "Segment", "clean", "read", "segment"]

# Words a directly computable problem may say besides its math. Nothing here may change an answer.
FILLER = frozenset(
    """what whats is are was does do the value values of compute calculate calc evaluate simplify find solve
    determine work out give express write convert as an answer your in its simplest form common fraction
    decimal exact exactly result please can could would you tell me help how get for if then and given let
    that such us all when at solution solutions root roots equation equations system following expression enter
    separated by commas comma equal equals to lowest terms real complex radical number numbers hi hey thanks quick
    pls plz thx ty wat wats wht whts so both add someone anyone this problem question ok okay simplifying explain need
    equal""".split()
)


def _inverse_trig(match: re.Match) -> str:
    """`arcsin(1/2)`, `sin^-1(1/2)`: the inverse function, in radians unless degrees are asked for."""
    name = "arc" + match.group(1) if match.group(1) else match.group(2)
    value = rf"\{name.lower()}{match.group(3)}"
    return f" (180/\\pi) \\cdot {value} " if match["unit"] == "degrees" else f" {value} "


_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_CHARACTERS = str.maketrans({"−": "-", "–": "-", "×": r" \times ", "·": r" \cdot ", "÷": r" \div ", "√": r"\sqrt",
                             "²": "^2", "³": "^3", "π": r"\pi ", "⟨": "<", "⟩": ">", "’": "'", "‘": "'", "“": '"', "”": '"'})
_NUMBER = r"\d+(?:\.\d+)?"
# `20% of 45` only where the 45 ends the math: `15% of 80 + 20` could mean 15% of 100.
_TEXT_COMMANDS = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mbox|operatorname)\s*\{([^{}]*)\}")
# (pattern, replacement): notation and phrases, in order; re.I throughout.
_REWRITES = [
    (r"\\\$", " dollars "),  # a currency sign: a word, so the problem is not read as bare math
    (r"\$\$|\$|\\\(|\\\)|\\\[|\\\]", " "),
    (r"\\left\b|\\right\b|(?<!\\)\\[!,;: ]|\\quad\b|\\qquad\b|\\displaystyle\b|~", " "),
    (r"\\[dt]frac\b", r"\\frac"),
    (r"\\[dt]binom\b", r"\\binom"),
    (r"\\%", "%"),
    (r"\{,\}", ""),
    (r"\*\*", "^"),
    (r"\\(gcd|lcm)\b", r" \1 "),
    (r"\\pmod\s*\{([^{}]*)\}", r" mod {\1}"),
    (r"\\pmod\b|\\bmod\b|\\mod\b", " mod "),
    (r"\(\s*mod\s+([^()]*)\)", r" mod \1 "),
    (r"\bwhat\s*'?\s*s\b", "what is"),
    (r"\bquick\s+q\b\s*:?", " "),
    (r"\.\.\.(?=\s+[A-Za-z])", " . "),  # `its 20% off... whats`: a pause, not a pattern to continue
    (r"\(\s*(?:no|without\s+a)\s+calculators?(?:\s+allowed)?(?:\s+lol)?\s*\)|\b(?:without|no)\s+(?:a\s+)?calculators?(?:\s+allowed)?\b", " "),
    (r"\b(?:and\s+)?(?:(?:write|put|give|leave)\s+(?:it|the\s+answer|your\s+answer|the\s+result)\s+)?(?:in|as)\s+(?:the\s+)?"
     r"(?:standard\s+form\s+|form\s+)?a\s*\+\s*bi(?:\s+form)?\b|\b(?:,\s*)?answer\s+in\s+standard\s+form(?:\s+a\s*\+\s*bi)?\b", " "),
    (r"\bmultiply\s+(?:out\s+)?(?=\([^()]*\)\s*\([^()]*\)\s*(?:$|[.?!,]|\s+[a-z]))", " simplify "),  # `multiply (3 + 2i)(1 - 4i)`
    (r"\buse\s+the\s+remainder\s+theorem\s+to\b", " "),
    (r"\bthru\b", "through"),
    (r"\bppl\b", "people"),
    (r"\bw/\s*", "with "),
    (r"(?<=[A-Za-z0-9]\s)w(?=\s+[A-Za-z]{2,})", "with"),  # `circle w radius 5`
    (r"(?<=[A-Za-z0-9]\s)u(?=\s+[A-Za-z]{2,})", "you"),  # `if u roll`
    (r"(?<=[A-Za-z0-9]\s)r(?=\s+[A-Za-z]{2,})", "are"),  # `how many r there`
    (r"\s*\b(?:real\s+quick|asap|in\s+a\s+rush|lol|fast|again|for\s+me|thanks|thank\s+you|thx)\s*[.!?]*\s*$", " "),  # talk after the question
    # a worksheet's numbering or heading: `#4)`, `Problem 7:`, `12. Solve ...`, `Directions:`
    (r"^\s*(?:#\s*\d{1,3}\s*[).:]?|(?:problem|question|exercise|ex|q)\s*#?\s*\d{1,3}\s*[).:]|\d{1,3}\s*[).]\s+(?=[A-Za-z])|"
     r"directions\s*:)\s*", " "),
    # who asks, and a guess that is not part of the problem
    (r"^\s*(?:(?:my|our|the)\s+(?:[a-z]+\s*'?\s*s\s+)?(?:homework|worksheet|teacher|book|textbook|assignment|quiz|test)\s+"
     r"(?:says|asks|wants)\s+(?:me\s+|us\s+|him\s+|her\s+)?(?:to\s+)?)", " "),
    (rf"\b(?:i|we|he|she|my\s+[a-z]+)\s+(?:got|get|gets|says|said|think|thinks)\s+(?:it\s*'?\s*s\s+|its\s+|the\s+answer\s+is\s+)?"
     rf"-?{_NUMBER}\s*(?:,\s*|\s+but\s+|\.\s*)?(?:is\s+(?:that|this|it)\s+(?:right|correct)|(?:i\s*'?\s*m|i\s+am|im)\s+not\s+"
     rf"sure(?:\s+(?:that\s*'?\s*s|thats|it\s*'?\s*s|its)\s+(?:right|correct))?)\s*[?.!]*", " "),
    (r"^\s*(?:(?:i\s+)?need|anyone\s+know|(?:idk|i\s+don'?t\s+know|i\s+dont\s+know)\s+how\s+to)\s+", " "),
    (r"\b(?:i\s*'?\s*m|i\s+am)\s+stuck\s+on\s+(?:this|that)(?:\s+(?:one|1|problem|question))?\s*:?", " "),
    (r"\b(?:i\s+need\s+help(?:\s+with)?|help\s+me(?:\s+with)?|can\s+(?:someone|anyone)\s+(?:help\s+(?:me\s+)?)?|can\s+you\s+help\s+(?:me\s+)?)\s*:?", " "),
    (r"\bno\s+decimals\b|\bexact\s+answer(?:\s+(?:pls|please))?\b", " "),
    (r"\b(?:and\s+)?(?:write|give|express)\s+(?:the|your)\s+answer\s+as\s+(?:an\s+ordered\s+pair\s+)?\(\s*x\s*,\s*y\s*\)", " "),
    (r"\(\s*(?:in\s+)?(?:simplest\s+(?:radical\s+)?form|exact(?:\s+answer)?|as\s+a\s+(?:common\s+)?fraction|in\s+degrees|pls|"
     r"please)\s*\)", " "),  # an answer form in brackets
    (r"=\s*\?+\s*$", " "),  # `gcd(84, 126) = ?`: asks for the value
    (r"\bwhat\s+should\s+(?:it|the\s+answer|that)\s+be\b", " "),
    (r"\s*(?:--+|—)\s*(?=[A-Za-z])", " . "),  # `2x^2 - 8x + 3 = 0 -- if i add ...`: a dash before the question
    (r"\s*,?\s*(?:for|on|in|over|where|with|if)?\s*(?:the\s+interval\s+)?(?:0\s*(?:≤|<=|\\le(?:q)?)\s*(?:[a-z]|\\theta|θ)\s*<\s*2\s*(?:\\pi|pi)\b|"
     r"\[\s*0\s*,\s*2\s*(?:\\pi|pi)\s*\))", " fullturn "),  # `for 0 <= x < 2pi`: the equation's solutions in one turn
    (r"\ball\s+(?:the\s+)?(?:angles|values|solutions)\s+(?:of\s+)?[a-z]\s+fullturn\s+(?:with|where|such\s+that|for\s+which|satisfying)\s+",
     " fullturn "),
    # the question said another way
    (r"\b(?:at\s+)?what\s+y\s*-?\s*value\s+does\s+(?:the\s+)?(?:graph\s+of\s+(?:the\s+line\s+)?|line\s+)?(?P<eq>[^?]*?=[^?]*?)\s+"
     r"(?:cross|intersect|hit|meet)\s+the\s+y\s*-?\s*axis\b", r" the y-intercept of \g<eq> "),
    (r"\bwhat\s+do\s+(?:the|its|all\s+the|they|both)\s+(?:(?:2|two)\s+)?(solutions|roots|zeros)\s+add\s+up\s+to\b", r" the sum of the \1 "),
    (r"\bif\s+(?:i|you|we)\s+add\s+(?:up\s+)?(?:the|its|both)\s+(?:(?:2|two)\s+)?(roots|solutions|zeros)(?:\s+together)?\s*,?\s*what\s+do\s+"
     r"(?:i|you|we)\s+get\b", r" the sum of the \1 "),
    (r"\(\s*(?:i\s+know\s+)?(?:they\s*'?\s*re|theyre|they\s+are|its|it\s*'?\s*s)\s+(?:complex|imaginary)\s*\)", " complex "),
    (r"\s*,?\s*(?:and\s+)?(?:answer|give\s+it|write\s+it)\s+as\s+(?:an\s+ordered\s+pair\s+)?\(\s*x\s*,\s*y\s*\)", " "),
    (r"(=[^=\n]*?)\s*\n\s*(?=[^=\n]*=)", r"\1 and "),  # equations on lines of their own: a system
    (r"\b(?:and\s+)?(?:(?:write|give|express|put)\s+(?:it|the\s+answer|your\s+answer|the\s+solution(?:\s+set)?)\s+)?(?:in|using)\s+"
     r"interval\s+notation\b", " intervalnotation "),
    (r"\bhow\s+many\s+integers?\s+(?:values\s+of\s+[a-z]\s+)?(?:satisfy|solve|are\s+solutions\s+(?:of|to))\b", " countintegers "),
    (r"=\s*\?+(?=\s+[a-z])", " "),
    (r"\b(?:as|to) an integer\b", " "),  # an answer form; "integer" anywhere else is a condition
    (r"\blet\s*'\s*s\b", "let us"),
    (r"\b(?:greatest common (?:divisor|factor)|highest common factor|gcf|hcf)\b", "gcd"),
    (r"\b(?:least|lowest) common multiple\b", "lcm"),
    (rf"({_NUMBER})\s*(?:%|percent|per cent)\s+of\s+({_NUMBER}){OPERAND_ENDS}", r"(\1/100) \\cdot \2"),
    (rf"(\d+\s*/\s*\d+|\\frac\s*\{{\d+\}}\s*\{{\d+\}})\s+of\s+({_NUMBER}){OPERAND_ENDS}", r"(\1) \\cdot \2"),
    (rf"\blog\s+(?:base|to the base)\s+({_NUMBER})\s+of\s+({_NUMBER})", r"\\log_{\1}{\2}"),
    (r"(?<!\\)\blog\s*_\s*(\d+)", r"\\log_{\1}"),
    (r"(?<!\\)\bsqrt\b", r"\\sqrt"),
    (r"(?<![A-Za-z\\])(?:\\?(sin|cos|tan)\s*\^\s*\{?\s*-\s*1\s*\}?|(arcsin|arccos|arctan))\s*(\([^()]*\))\s*,?\s*"
     r"(?:in\s+(?P<unit>degrees|radians))?", _inverse_trig),
    (r"(?<![A-Za-z\\])(sin|cos|tan|cot|sec|csc)\b", r"\\\1 "),
    (rf"\\sqrt\s*({_NUMBER})(?![\d.]|\s*(?:/|\^|\\div))", r"\\sqrt{\1}"),
    (rf"\bsquare root of ({_NUMBER})\b(?!\s*[-+*/^(\\])", r"\\sqrt{\1}"),
    (rf"\bcube root of ({_NUMBER})\b(?!\s*[-+*/^(\\])", r"\\sqrt[3]{\1}"),
    (r"(?<!\\)(?:\b|(?<=\d))pi\b", r"\\pi "),
    (r"\b(\d+)\s+choose\s+(\d+)\b", r"\\binom{\1}{\2}"),
    (rf"\bdivide\s+(-?{_NUMBER}(?:\s*/\s*\d+)?)\s+by\s+(-?{_NUMBER}(?:\s*/\s*\d+)?)(?![\d.]|\s*[-+*/^(\\])", r"(\1)/(\2)"),
    (r"(?<!\\)\b(?:the\s+)?(?:determinant|det)\s+(?:of\s+)?(?:the\s+)?(?:matrix\s+)?(?=\\begin\{[pbv]?matrix\})", r"\\det "),
    (r"\\det\s*\(\s*(\\begin\{matrix\}.*?\\end\{matrix\})\s*\)", r"\\det \1"),
]
_REWRITES_COMPILED = [(re.compile(pattern, re.I | re.S), replacement) for pattern, replacement in _REWRITES]
_SYNONYMS = re.compile(r"\b(?:prob|chance)\b(?!\s*\()", re.I)
_BRACKET_MATRIX = re.compile(r"\[\s*\[([^\[\]]*)\]\s*,\s*\[([^\[\]]*)\](?:\s*,\s*\[([^\[\]]*)\])?\s*\]")
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…|\\[lc]?dots\b")
# A multi-digit argument after a command with no braces is TeX for "first digit only": nobody means that.
_AMBIGUOUS = re.compile(r"\\log_\d\d|\\binom\s*\d\d|\\frac\s*\d\d\d")


# `4\frac{5}{8}` (or `4\dfrac{5}{8}`) is the mixed number 4 5/8, not a product.
_MIXED_NUMBER = re.compile(
    r"(?<![\^_\d.])(\d+)\s*\\[dt]?frac\s*(?:\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}|(\d)\s*(\d)(?!\d))"
)
_NUMBER_BEFORE_FRACTION = re.compile(r"\d\s*\\frac")


def _mixed_number(match: re.Match) -> str:
    whole, numerator, denominator = (int(g) for g in match.groups() if g is not None)
    if not 0 < numerator < denominator:
        raise NotReadable("a whole number before an improper fraction: a mixed number or a product?")
    return f"({whole}+{numerator}/{denominator})"


_REPEATING = re.compile(r"(\d*)\.(\d*)\\overline\s*\{\s*(\d{1,12})\s*\}")


def _repeating(match: re.Match) -> str:
    """`0.1\\overline{36}` as the fraction it is: (136 - 1) / 990."""
    whole, fixed, cycle = match.groups()
    fraction = (int(fixed + cycle) - int(fixed or "0")) / sympy.Integer(10 ** len(fixed) * (10 ** len(cycle) - 1))
    value = int(whole or "0") + fraction
    return f"({value.p}/{value.q})"


# Talk around a problem that never states math. A sentence made only of these words (and filler), with no
# number or math sign in it, is dropped: "Parent here.", "My son got a different answer than I did.", "i keep
# messing up medians.". A sentence with any other word stays, and must be read like the rest.
_CHATTER = frozenset(
    """parent here my son sons daughter daughters kid kids child teacher teachers homework worksheet class school
    got get gets different answer answers than did keep keeps messing mess up confused stuck idk dont don't
    understand need needs it fast really hard help helping thanks thank guys hi hello ok okay so sure lol doing
    we are our in on with for just trying try tried again please pls i i'm im me am was is be been this these a an""".split()
)
# More talk: words about asking, checking and feeling. None of them states math on its own (no condition,
# unit or answer form: tested), so a sentence made only of them, `_CHATTER` and `FILLER` is dropped whole.
_TALK = frozenset(  # beyond _CHATTER
    """thought think thinks thinking know knew known unsure confusing explain explained explains shortcut confirm
    confirmed proof riddle club math asks asked ask says said wants want wanted teacher's that's thats wrong
    marked mark key book learning learn studying study tomorrow tonight due haha ugh kinda sorta super very
    much forgot remember remembered why because since check checking checked double quiz test exam omg wow hmm
    getting kept messed supposed should would could can gave give gives giving us them told tell couldn't can't
    cant wont won't isn't isnt doesn't doesnt didn't didnt i've ive i'd we're they're what's how's hows makes
    make sense idea clue lost seems seem look looks looked looking way still""".split()
)
_TALK_WORDS = _CHATTER | FILLER | _TALK
_SENTENCE_END = re.compile(r"(?<=[.!?])(\s+)")


def _drop_chatter(text: str) -> str:
    kept = []
    for piece in _SENTENCE_END.split(text):  # sentences, and the spaces between them
        words = re.findall(r"[A-Za-z']+", piece)
        talk = words and not re.search(r"[\d=+*/^()<>|\\$%]", piece) and all(
            w.lower() in _TALK_WORDS or w.lower().removesuffix("'s") in _TALK_WORDS for w in words)
        kept.append(" " if talk else piece)
    return "".join(kept)


def _matrix(match: re.Match) -> str:
    """`[[2, 3], [1, 4]]` as the pmatrix the parser reads."""
    rows = [row.split(",") for row in match.groups() if row is not None]
    return r"\begin{pmatrix} " + r" \\ ".join(" & ".join(cell.strip() for cell in row) for row in rows) + r" \end{pmatrix}"


def clean(problem: str) -> tuple[str, list[str]]:
    """The problem in one spelling, and the kinds of phrase rewritten on the way ("percent", "log", ...)."""
    text = problem.translate(_CHARACTERS)
    for _ in range(3):  # nested \text{\textbf{...}}
        text = _TEXT_COMMANDS.sub(r" \1 ", text)
    text = re.sub(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1).lower()], text,
                  flags=re.I)
    text = _MIXED_NUMBER.sub(_mixed_number, text)
    text = _SYNONYMS.sub("probability", spelling.correct(text))
    text = _BRACKET_MATRIX.sub(_matrix, text)
    text = _REPEATING.sub(_repeating, text)
    text = _drop_chatter(text)
    kinds = []
    for pattern, replacement in _REWRITES_COMPILED:
        text, count = pattern.subn(replacement, text)
        if count and isinstance(replacement, str) and "100" in replacement:
            kinds.append("percent")
        elif count and isinstance(replacement, str) and "log_" in replacement:
            kinds.append("log")
    text, question_kinds = rewrite(text)
    kinds += question_kinds
    if _NUMBER_BEFORE_FRACTION.search(text):
        raise NotReadable("a number right before a fraction: a mixed number or a product?")
    if _THOUSANDS.search(text):
        raise NotReadable("a comma that may be a thousands separator: `1,000`")
    if _ELLIPSIS.search(text):
        raise NotReadable("an ellipsis: a pattern to continue, not an expression")
    if _AMBIGUOUS.search(text):
        raise NotReadable("a command with a multi-digit argument and no braces")
    return text, kinds


_SCAN = re.compile(
    r"""(?P<env>\\(?:begin|end)\{[a-zA-Z*]+\})
      | (?P<cmd>\\[a-zA-Z]+|\\.)
      | (?P<word>[A-Za-z]{2,})
      | (?P<letter>[A-Za-z])
      | (?P<number>\d+(?:\.\d+)?|\.\d+)
      | (?P<space>\s+)
      | (?P<punct>[?,.:;!'"])
      | (?P<other>.)""",
    re.X | re.S,
)


def segment(text: str) -> list[Segment]:
    """Words, punctuation and maximal math spans, in order; NotReadable for a word inside brackets.
    Brackets are only counted here (a comma inside them is math); the parser says whether they match."""
    segments: list[Segment] = []
    span: list[str] = []
    depth = 0

    def close_span() -> None:
        if span:
            segments.append(Segment("math", "".join(span).strip()))
            span.clear()

    for match in _SCAN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "word":
            if depth:
                raise NotReadable(f"the word {token!r} inside the math")
            close_span()
            segments.append(Segment("word", token.lower()))
        elif kind == "space":
            if span:
                span.append(" ")
        elif kind == "punct" and not _math_punctuation(token, depth, span, text[match.end() : match.end() + 1]):
            close_span()
            segments.append(Segment("punct", token))
        else:
            if kind == "env":
                depth = max(0, depth + (1 if token.startswith("\\begin") else -1))
            elif kind == "other" and token in "([{":
                depth += 1
            elif kind == "other" and token in ")]}":
                depth = max(0, depth - 1)
            span.append(token)
    close_span()
    return segments


def _math_punctuation(token: str, depth: int, span: list[str], following: str = "") -> bool:
    """A comma or period inside brackets, or a `!` right after a number, letter or bracket, is math."""
    if token in ",." and depth:
        return True
    if token == "." and following and not following[0].isspace() and following[0] not in "?!,;:'\"":
        return True  # `0.\overline{6}`: part of the math, not the end of a sentence
    if token == "!":
        last = "".join(span).rstrip()
        return bool(last) and (last[-1].isalnum() or last[-1] in ")}!")
    return False

# Math that students type one way and mean another: no claim on it.
_AMBIGUOUS_SPANS = [
    (re.compile(r"^[^0-9A-Za-z]*$"), "symbols without a number or a letter (`:)`, `?!`)"),
    (re.compile(r"(?<![A-Za-z\\])[fgh]\s*\("), "function notation: f(x) is not f times x"),
    (re.compile(r"(?<![_^\d.])\d+\s+\.?\d"), "two numbers side by side: `1 1/2` (a mixed number?), `1 000` (a thousand?)"),
    (re.compile(r"(?<![\\A-Za-z])[A-Za-z]\d"), "a letter before a number: `x2` could be x^2 or 2x"),
    (re.compile(r"\d\s*\^\s*-?\d+(?:\.\d+)?\s*/"), "`8^2/3`: (8^2)/3 or 8^(2/3)?"),
    (re.compile(r"\\(?:log(?:_\{?\s*\d+\s*\}?)?|ln|sqrt)\s*\d+(?:\.\d+)?\s*(?:/|\\div|\^)"),
     "`log_4 1/256`, `sqrt 50/2`: the function of the first number only, or of the whole quotient?"),
    (re.compile(r"(?:/|\\div)\s*(?:\d+(?:\.\d+)?|[A-Za-z])\s*(?=[A-Za-z(]|\\(?!cdot|times|div))"),
     "`1/2x` or `6/2(1+2)`: what does the division cover?"),
]


def read(problem: str, evaluate: Evaluate) -> Reading:
    """The problem as segments with its phrases computed; `evaluate` turns a math span into a sympy value.

    Raises NotReadable as soon as a word is neither filler nor part of a phrase, before any math is computed:
    a problem with an unread condition gets no verdict at all, not even "ill-posed"."""
    text, kinds = clean(problem)
    reading = Reading(segment(text), kinds)
    _article(reading)
    _check_words(reading, FILLER | PHRASE_WORDS | QUESTION_WORDS | CHOICE_WORDS | ALGEBRA_WORDS)
    inverse(reading, evaluate)
    full_turn(reading)
    inequality(reading, evaluate)
    function_value(reading, evaluate, _refuse_ambiguous)
    answer_form(reading)
    coefficient(reading, evaluate)
    line_equation(reading, evaluate)
    extremum(reading, evaluate)
    digits(reading, evaluate)
    root_choice(reading)
    for span in reading.spans:
        _refuse_ambiguous(span)
    postfix_words(reading)
    remainder(reading, evaluate)
    gcd_lcm(reading)
    statistics(reading)
    points(reading, evaluate)
    derivative(reading, evaluate)
    limit(reading, evaluate)
    factorization(reading)
    series_sum(reading, evaluate)
    point_answer(reading, evaluate)
    word_operators(reading)
    _check_words(reading, FILLER)  # a phrase word left over was used outside its phrase
    return reading


def _refuse_ambiguous(span: str) -> None:
    for pattern, reason in _AMBIGUOUS_SPANS:
        if pattern.search(span):
            raise NotReadable(reason)


def _check_words(reading: Reading, known: frozenset[str]) -> None:
    unread = [word for word in reading.words if word not in known]
    if unread:
        raise NotReadable(f"it says {unread[0]!r}, which a direct computation does not read")


_PRONOUN_BEFORE_MATH = re.compile(r"[iI]\s+(?=[(\d])")


def _article(reading: Reading) -> None:
    """`a`, `I` or `i` followed by a word is an article or a pronoun, not a variable (`how do i solve ...`); so is
    an `i` after a word and before a bracket or a number with a space between (`how do i (101101)`, where a
    phrase became a number): nobody writes i times 101101 so."""
    s = reading.segments
    kept = []
    for i, seg in enumerate(s):
        if seg.kind == "math" and seg.text in ("a", "I", "i") and i + 1 < len(s) and s[i + 1].kind == "word":
            continue
        if seg.kind == "math" and i > 0 and s[i - 1].kind == "word" and _PRONOUN_BEFORE_MATH.match(seg.text):
            seg = Segment("math", _PRONOUN_BEFORE_MATH.sub("", seg.text, count=1), seg.computed, seg.answer)
        kept.append(seg)
    reading.segments = kept

