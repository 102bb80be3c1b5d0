"""The direct computation in this process, without a time limit: read the problem, compute, say what it found.

`analyse_here(problem) -> Analysis` is what the grading worker runs (as the op `analyse_op`, under the
caller's time limit: see `client.py`); `compute(problem) -> Computed | None` keeps the sympy values for
callers in this process (tests, the synthetic data's re-check).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import sympy

from tutor.grading.expression import Malformed, Undefined, Unsupported, parse
from tutor.grading.fast import split_top_level
from tutor.grading.timeout import worker_op
from tutor.solve.symbolic.algebra import in_form
from tutor.solve.symbolic.analysis import Analysis
from tutor.solve.symbolic.domain import TRIG_FUNCTIONS, SympyDomain
from tutor.solve.symbolic.equations import solve_in_turn, solve_linear_system, solve_one
from tutor.solve.symbolic.questions import choose_root
from tutor.solve.symbolic.reader import read
from tutor.solve.symbolic.segments import IllPosed, NotReadable, Reading
from tutor.solve.symbolic.worked import arithmetic_steps, linear_steps, quadratic_steps, system_steps

log = logging.getLogger(__name__)

MAX_PROBLEM = 2000
"""Characters of problem text read; a longer problem is not a direct computation."""
MAX_ANSWER_BITS = 1000
"""An integer or fraction answer of more bits (about 300 digits) is too long to write out, and not computed."""
_DECIMAL_LITERAL = re.compile(r"-?\d*\.\d+")
_DECIMAL_IN = re.compile(r"\d*\.\d+")
_PLAIN = re.compile(r"[-\d., ()]+")
# The kinds a phrase can set, most specific first.
_PHRASE_KINDS = ("mod", "gcd", "lcm", "log", "percent", "statistics", "points", "sequence", "trig", "pythagoras",
                 "geometry", "function", "probability", "counting", "divisors", "primes", "bases", "multiples",
                "sum", "angles", "vectors", "period", "units", "line", "quadratic", "digits", "complex", "money", "decimal", "as_percent", "motion", "proportion",
                "consecutive", "numbers", "coefficient", "ratio", "derivative", "limit")


@dataclass
class Computed:
    """A computed answer with its sympy values (one value, the roots, or a system's unknowns in order)."""

    kind: str
    values: list[sympy.Expr]
    answer: str
    variables: tuple[str, ...] = ()
    sentence: str = ""
    """One plain sentence for the student; "A direct computation gives <answer>." when empty."""
    steps: list[str] = field(default_factory=list)
    """Worked steps in the models' solution format (`worked`), where the kind has them."""

    def __post_init__(self) -> None:
        self.sentence = self.sentence or f"A direct computation gives {_shown(self.answer)}."

    @property
    def latex(self) -> str:
        return self.answer


_WORKED_KINDS = ("arithmetic", "percent", "money")
"""Kinds of a value whose expression is worked in steps (`worked.arithmetic_steps`)."""


class _Result(Exception):
    """Carries a finished Computed out of the solving code."""


def evaluate(text: str) -> sympy.Expr:
    """A math span's sympy value (Malformed gets the span quoted, for the student's sentence)."""
    return _parse(text)[0]


def _parse(text: str) -> tuple[sympy.Expr, set[sympy.Symbol]]:
    """A math span's value and the letters it uses (`2x - 2x` is 0 but still has the unknown x)."""
    domain = SympyDomain()
    try:
        value = parse(text.strip(), domain)
    except Malformed as exc:
        raise Malformed(f"'{text.strip()}' {exc}") from None
    return value, {sympy.Symbol(name) for name in domain.variables}


def compute(problem: str) -> Computed | None:
    """The computed answer, or None when the problem is not computed (for any reason)."""
    computed, _ = _analyse(problem)
    return computed


def analyse_here(problem: str) -> Analysis:
    """The analysis of one problem in this process (no time limit: the worker op runs this)."""
    return _analyse(problem)[1]


@worker_op
def analyse_op(problem: str) -> dict:
    """`analyse_here` as the grading worker's op (JSON in, JSON out)."""
    return analyse_here(problem).to_dict()


def _analyse(problem: str) -> tuple[Computed | None, Analysis]:
    if not isinstance(problem, str) or not problem.strip() or len(problem) > MAX_PROBLEM:
        return None, Analysis("not_applicable", detail="This is not a problem a direct computation reads.")
    try:
        computed = _compute(read(problem, evaluate), problem)
    except IllPosed as exc:
        return None, Analysis("ill_posed", detail=str(exc))
    except Undefined as exc:
        return None, Analysis("ill_posed", detail=_undefined_sentence(str(exc)))
    except Malformed as exc:
        return None, Analysis("ill_posed", detail=f"The problem text is broken: {exc}.")
    except (NotReadable, Unsupported) as exc:
        log.debug("not directly computable (%s): %r", exc, problem[:80])
        return None, Analysis("not_applicable", detail=f"Not a direct computation: {exc}.")
    except Exception:  # noqa: BLE001 - a sympy corner case is "failed", never a crash
        log.debug("the direct computation failed on %r", problem[:80], exc_info=True)
        return None, Analysis("unknown", detail="The direct computation failed on this problem.")
    values = (computed.answer,) if len(computed.values) == 1 else tuple(_latex(v) for v in computed.values)
    return computed, Analysis("computed", computed.kind, computed.answer, values, computed.variables, computed.sentence,
                              tuple(computed.steps))


def _undefined_sentence(reason: str) -> str:
    if "logarithm" in reason:
        return f"This problem takes {reason}, which is undefined, so it has no answer."
    return "This problem divides by zero, so it has no answer."


def _compute(reading: Reading, problem: str) -> Computed:
    whole = [segment.answer for segment in reading.segments if segment.answer]
    if whole:
        if len(reading.spans) != 1:
            raise NotReadable("more than one thing asked")
        if reading.choose or reading.form:
            raise NotReadable("one value or form asked of an answer that is given whole")  # `the greatest a such that`
        return _whole_answer(*whole[0])
    equations, expressions, unknowns, broken = [], [], set(), []
    for span in reading.spans:
        sides = [side.strip() for side in split_top_level(span, "=")]
        if len(sides) > 2:
            raise NotReadable("a chain of equalities")
        try:  # a span we cannot read (NotReadable, Unsupported) outranks a broken one: no claim at all
            if len(sides) == 2 and not sides[0]:
                raise Malformed(f"'{span}' is missing a side")
            if len(sides) == 2 and sides[1]:
                (lhs, lhs_letters), (rhs, rhs_letters) = _side(sides[0], span), _side(sides[1], span)
                equations.append((span, lhs, rhs))
                unknowns |= lhs_letters | rhs_letters
            else:  # an expression, or `12 \cdot 7 =`: a question for its value
                expressions.append((sides[0], *_parse(sides[0])))
        except (Malformed, Undefined) as exc:
            broken.append(exc)
    if broken:
        raise broken[0]
    if reading.choose and (len(equations) != 1 or len(unknowns) != 1):
        raise NotReadable("a choice of root, and no single equation to choose from")
    if not equations:
        if len(expressions) != 1:
            raise NotReadable("not one expression" if expressions else "no math")
        span, value, _ = expressions[0]
        computed = _value(reading, span, value)
        if computed.kind in _WORKED_KINDS and not any(segment.computed for segment in reading.segments):
            computed.steps = arithmetic_steps(span, computed.answer, value)  # (a phrase's value has no working)
        return computed
    if len(expressions) > 1:
        raise NotReadable("more than one thing asked")
    asked = expressions[0][1] if expressions else None
    if expressions and not expressions[0][2]:
        raise NotReadable("equations, and a question about something without their unknowns")
    if asked is not None and not asked.free_symbols <= unknowns:
        raise NotReadable("it asks about a letter the equations do not have")
    if not unknowns:
        raise NotReadable("an equation with no unknown: a claim to check, not a computation")
    if len(equations) == 1 and len(unknowns) == 1:
        return _one_equation(reading, equations[0], unknowns.pop(), asked, problem)
    solution = solve_linear_system(equations, unknowns)
    names = tuple(str(x) for x in solution)
    if asked is None:
        values = list(solution.values())
        pairs = " and ".join(_shown(f"{x} = {_latex(v)}") for x, v in zip(names, values))
        answer = "(" + ", ".join(map(_latex, values)) + ")"
        as_written = all(_as_written(span, problem) for span, _, _ in equations)
        steps = system_steps([(lhs, rhs) for _, lhs, rhs in equations], list(solution), answer) if as_written else []
        return Computed("system", values, answer, names, f"Solving the equations directly gives {pairs}.", steps)
    value = solution[asked] if asked in solution else _defined(sympy.expand(asked.subs(solution)))
    return Computed("system", [value], _latex(value), names)


def _whole_answer(kind: str, values: list[sympy.Expr]) -> Computed:
    """A question a phrase answered whole: a midpoint (`questions.points`) or a derivative (`questions.derivative`)."""
    if kind in ("midpoint", "vertex", "point"):
        answer = "(" + ", ".join(map(_latex, values)) + ")"
        named = "answer" if kind == "point" else kind  # a point or a vector (`curriculum.POINT_REWRITES`)
        return Computed(kind, values, answer, (), f"The {named}, computed directly, is {_shown(answer)}.")
    if kind == "inverse":
        answer = _latex(values[0])
        return Computed(kind, values, answer, tuple(sorted(map(str, values[0].free_symbols))),
                        f"The inverse function, computed directly, is {_shown(answer)}.")
    if kind == "factorization":
        factors = sympy.factorint(int(values[0]))
        answer = r" \cdot ".join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in sorted(factors.items()))
        return Computed(kind, values, answer, (), f"Factoring directly gives {_shown(answer)}.")
    if kind in ("interval", "inequality"):
        solution, x = values
        answer = _set_answer(solution, x, as_intervals=kind == "interval")
        return Computed("inequality", [solution], answer, (str(x),), f"Solving the inequality directly gives {_shown(answer)}.")
    if kind == "derivative":
        answer = _latex(values[0])
        return Computed(kind, values, answer, tuple(sorted(map(str, values[0].free_symbols))),
                        f"Differentiating directly gives {_shown(answer)}.")
    raise AssertionError(f"no whole answer of kind {kind!r}")


_LESS = {True: "<", False: r"\le"}
_MORE = {True: ">", False: r"\ge"}


def _set_answer(solution: sympy.Set, x: sympy.Symbol, as_intervals: bool) -> str:
    """A solution set of real numbers as intervals (`(-\\infty, -3)`, joined by `\\cup`) or, for one interval when
    intervals are not asked for, as an inequality (`x < -3`, `-1 < x \\le 7`)."""
    pieces = list(solution.args) if isinstance(solution, sympy.Union) else [solution]
    if any(not isinstance(piece, sympy.Interval) for piece in pieces):
        raise NotReadable("a solution set that is not made of intervals")
    if as_intervals or len(pieces) > 1:
        return r" \cup ".join(_interval(piece) for piece in pieces)
    (piece,) = pieces
    start, end = _latex(piece.start), _latex(piece.end)
    if piece.start.is_infinite:
        return f"{x} {_LESS[bool(piece.right_open)]} {end}"
    if piece.end.is_infinite:
        return f"{x} {_MORE[bool(piece.left_open)]} {start}"
    return f"{start} {_LESS[bool(piece.left_open)]} {x} {_LESS[bool(piece.right_open)]} {end}"


def _interval(piece: sympy.Interval) -> str:
    opening = "(" if piece.left_open or piece.start.is_infinite else "["
    closing = ")" if piece.right_open or piece.end.is_infinite else "]"
    return f"{opening}{_latex(piece.start)}, {_latex(piece.end)}{closing}"


def _side(text: str, span: str) -> tuple[sympy.Expr, set[sympy.Symbol]]:
    try:
        return _parse(text)
    except Malformed:
        raise Malformed(f"'{span}' is missing a term") from None


def _one_equation(reading: Reading, equation, x: sympy.Symbol, asked: sympy.Expr | None, problem: str) -> Computed:
    span, lhs, rhs = equation
    words = set(reading.words)
    reals = "complex" if "complex" in words else "real" if "real" in words else ""
    roots = solve_in_turn(span, lhs, rhs, x) if reading.full_turn else solve_one(span, lhs, rhs, x, reals)
    if reading.choose in ("sum", "product") and _repeated_root(lhs - rhs, x):
        raise NotReadable("a repeated root: counted once or twice in the sum?")
    if reading.choose in ("sum", "product") and (asked is None or asked == x):
        value = choose_root(roots, reading.choose)
        return Computed("equation", [value], _latex(value), (str(x),),
                        f"The {reading.choose} of the solutions, computed directly, is {_shown(_latex(value))}.")
    if reading.choose:
        roots = [choose_root(roots, reading.choose)]
    if asked is None or asked == x:
        found = " or ".join(_shown(f"{x} = {_latex(root)}") for root in roots)
        answer = ", ".join(map(_latex, roots))
        plain = _as_written(span, problem) and not reading.choose and not reading.full_turn
        steps = (linear_steps(lhs, rhs, x, "(" in span, answer, "." in span) or quadratic_steps(lhs, rhs, x, answer)
                 if plain else [])
        return Computed("equation", roots, answer, (str(x),), f"Solving the equation directly gives {found}.", steps)
    values = {_defined(sympy.radsimp(sympy.expand(asked.subs(x, root)))) for root in roots}
    if len(values) != 1:
        raise NotReadable("the asked expression has a different value at each root (or none written alike)")
    return Computed("equation", list(values), _latex(values.pop()), (str(x),))


def _as_written(span: str, problem: str) -> bool:
    """Whether an equation stands in the problem as the student wrote it: the reader rewrites some (`|x - 3| = 5`
    is read as `(x - 3)^2 = (5)^2`), and steps of the rewritten form would not be the student's equation."""
    return re.sub(r"\s+", "", span) in re.sub(r"\s+", "", problem)


def _repeated_root(difference: sympy.Expr, x: sympy.Symbol) -> bool:
    numerator = sympy.fraction(sympy.together(difference))[0]
    try:
        poly = sympy.Poly(sympy.expand(numerator), x)
    except sympy.PolynomialError:
        return True  # not a polynomial (an exponential's exponents): no claim on a sum of roots
    return poly.sqf_part().degree() != poly.degree()


def _defined(value: sympy.Expr) -> sympy.Expr:
    """The asked expression's value at the solution, which must exist: `1/(x - 1)` at x = 1 does not."""
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise IllPosed("What is asked divides by zero at the solution, so it has no answer.")
    return value


def _value(reading: Reading, span: str, value: sympy.Expr) -> Computed:
    if value.has(*TRIG_FUNCTIONS):
        raise NotReadable("a trigonometric value with no closed form, or of a variable")
    imaginary_unit = sympy.Symbol("i")
    if value.free_symbols == {imaginary_unit} and not reading.form:  # `(2 + 3i)(1 - i)`, `i^15`: a complex number
        if re.search(r"(?<![A-Za-z\\])i\s+[(\d]", span):
            raise NotReadable("`i (5)`: a pronoun before a number, or the imaginary unit times it?")
        value = sympy.expand(value.subs(imaginary_unit, sympy.I))
        if value.has(sympy.zoo, sympy.nan):
            raise IllPosed("This problem divides by zero, so it has no answer.")
        return Computed("complex", [value], _latex(value))
    if value.free_symbols:
        shaped = in_form(reading, value)
        if shaped is None:
            raise NotReadable("an expression with a variable, and nothing to solve")
        kind, value = shaped
        return Computed(kind, [value], _latex(value), tuple(sorted(map(str, value.free_symbols))))
    if reading.form:
        raise NotReadable(f"a number to {reading.form}: which form is meant?")
    if not value.is_Rational:
        value = sympy.radsimp(value)  # 1/((1 - \sqrt{2})(1 + \sqrt{2})) is -1
    if value.has(sympy.zoo, sympy.nan, sympy.oo) or not value.is_real:
        raise NotReadable("not a finite real number")
    words = set(reading.words)
    kind = next((k for k in _PHRASE_KINDS if k in reading.kinds), None)
    if kind is None:
        if r"\binom" in span:
            kind = "binomial"
        elif r"\log" in span:
            kind = "log"
        elif r"\det" in span or "vmatrix" in span:
            kind = "determinant"
        elif "fraction" in words and _DECIMAL_LITERAL.fullmatch(span):
            kind = "fraction"
        elif "decimal" in words:
            kind = "decimal"
        elif r"\sqrt" in span and not value.is_Rational:
            kind = "radical"
        else:
            kind = "arithmetic"
    if kind == "money" and not (value * 100).is_Integer:
        raise NotReadable("an amount of money between cents: the rounding is not given")
    if kind in ("money", "decimal"):
        return Computed(kind, [value], _decimal(value))  # dollars and cents (a repeating decimal: no claim)
    if kind == "as_percent":
        return Computed("percent", [value], _decimal(value) + r"\%")
    if "fraction" not in words and ("decimal" in words or _DECIMAL_IN.search(span)):
        try:
            return Computed(kind, [value], _decimal(value))  # decimals in, a decimal out (where it terminates)
        except NotReadable:
            if "decimal" in words:
                raise
    return Computed(kind, [value], _latex(value))


def _decimal(value: sympy.Expr) -> str:
    """A terminating decimal, exactly; anything else needs a rounding the problem did not give."""
    if not value.is_Rational:
        raise NotReadable("a decimal answer for an irrational value: the rounding is not given")
    q = int(value.q)
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    if q != 1:
        raise NotReadable("a repeating decimal: the rounding is not given")
    places = 0
    while (value * 10**places).q != 1:
        places += 1
    digits = str(abs(int(value * 10**places))).rjust(places + 1, "0")
    text = digits if places == 0 else f"{digits[:-places]}.{digits[-places:]}"
    return ("-" if value < 0 else "") + text


def _latex(value: sympy.Expr) -> str:
    """Integers as digits, fractions as `\\frac{p}{q}` with the sign outside, anything else as sympy writes it."""
    if value.is_Rational and max(abs(int(value.p)), int(value.q)).bit_length() > MAX_ANSWER_BITS:
        raise NotReadable("an answer too long to write out")
    if value.is_Integer:
        return str(int(value))
    if value.is_Rational:
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(int(value.p))}}}{{{int(value.q)}}}"
    text = sympy.latex(value).replace(r"\left(", "(").replace(r"\right)", ")")
    if len(text) > MAX_ANSWER_BITS:
        raise NotReadable("an answer too long to write out")
    return text


def _shown(answer: str) -> str:
    return answer if _PLAIN.fullmatch(answer) else f"${answer}$"
