"""School algebra the reader knows by its words: the form an answer is asked in (`expand`, `factor`), a line
given by its equation (slope, intercepts), a quadratic's extremum or vertex, an absolute-value equation, a
complex number's modulus, and the digits of a number (units digit, digit sum).

`REWRITES` (text level, inside `questions.rewrite`) respell forms as math the engine solves: `|2x - 1| = 5`
as `(2x - 1)^2 = (5)^2` (the same solutions when the right side is not negative), `|3 - 4i|` as its value.
The segment-level passes work like `questions.points`: a key word, the few words that join it to one math
span, and that span's value; any other word is left unread.
"""

from __future__ import annotations

import operator
import re

import sympy

from tutor.solve.symbolic.phrases import SIGNED_NUMBER, Evaluate, is_math, skip_words, words_at
from tutor.solve.symbolic.segments import IllPosed, NotReadable, Reading, Segment

# Words read only by the passes below.
ALGEBRA_WORDS = frozenset(
    """expand factor factorise factorize completely fully yintercept xintercept minimum maximum least greatest
    smallest largest value over real vertex parabola graph units ones last digit digits sum coefficient expansion
    inverse function inequality intervalnotation countintegers perpendicular parallel fullturn""".split()
)
_FORMS = {"expand": "expand", "factor": "factor", "factorise": "factor", "factorize": "factor"}


def _absolute_equation(match: re.Match) -> str:
    inside, right = match.group(1), match.group(2)
    if sympy.Rational(right) < 0:
        raise IllPosed("An absolute value is never negative, so this equation has no solution.")
    return f" ({inside})^2 = ({right})^2 "


def _modulus(match: re.Match) -> str:
    """|a + bi| (groups: a, the sign, b) or |bi| (groups: the sign, b)."""
    real, sign, imaginary = match.groups() if len(match.groups()) == 3 else (None, *match.groups())
    a, b = sympy.Rational(real or 0), sympy.Rational(imaginary or 1)
    return f" ({sympy.latex(sympy.radsimp(sympy.sqrt(a**2 + b**2)))}) "


_NUMBER = r"\d+(?:\.\d+)?"
# (pattern, replacement, kind)
REWRITES = [
    (rf"\|([^|=]*[a-z][^|=]*)\|\s*=\s*({SIGNED_NUMBER})(?![\d.]|\s*[-+*/^(\\])", _absolute_equation, None),
    # |E| < c as E^2 < c^2 (both sides are not negative there, so squaring keeps the order)
    (r"\|([^|<>=]*[a-z][^|<>=]*)\|\s*(<=|>=|<|>|\\le(?:q)?\b|\\ge(?:q)?\b|≤|≥)\s*(\d+(?:\.\d+)?)(?![\d.]|\s*[-+*/^(\\])",
     r" (\1)^2 \2 (\3)^2 ", None),
    (rf"\|\s*(-?{_NUMBER})\s*([+-])\s*({_NUMBER})?\s*i\s*\|", _modulus, "complex"),
    (rf"\|\s*(-)?\s*({_NUMBER})?\s*i\s*\|", _modulus, "complex"),
    (r"\s*,?\s*(?:where|with|if)\s+i\s*\^\s*\{?\s*2\s*\}?\s*=\s*-\s*1\b", " ", "complex"),
    (rf"\|\s*({SIGNED_NUMBER})\s*\|", lambda m: f" ({abs(sympy.Rational(m.group(1)))}) ", None),  # `2|-5|`: a number's size
    (r"\b([xy])\s*-\s*intercept\b|\b([xy])\s+intercept\b", lambda m: f" {m.group(1) or m.group(2)}intercept ", None),
    # log_b(E) = c is E = b^c (which is positive, so the logarithm is defined there)
    (rf"\\log_\{{?(\d+)\}}?\s*\(([^()=]*[a-z][^()=]*)\)\s*=\s*({SIGNED_NUMBER})(?![\d.]|\s*[-+*/^(\\])",
     r" (\2) = (\1)^{\3} ", None),
    (rf"(?<!\\)\blog\s*\(([^()=]*[a-z][^()=]*)\)\s*=\s*({SIGNED_NUMBER})\s*,?\s*(?:where\s+log\s+is\s+(?:base\s+10|the\s+common\s+"
     rf"log(?:arithm)?)|\(\s*base\s+10\s*\))", r" (\1) = 10^{\2} ", None),
    # `the roots of p(x) = x^3 - 6x^2 + 11x - 6`: the roots of the polynomial, an equation set to 0
    (r"\b(roots|zeros|zeroes)\s+of\s+(?:[a-z]\s*\(\s*[a-z]\s*\)|y)\s*=\s*([^=]+?)\s*(?=[.?]?\s*$)", r"\1 of \2 = 0", None),
]


def answer_form(reading: Reading) -> None:
    """`expand (x + 3)(x - 2)`, `factor x^2 + 7x + 12 completely`: the form the answer is asked in
    (`Reading.form`)."""
    s = reading.segments
    found = [i for i, seg in enumerate(s) if seg.kind == "word" and seg.text in _FORMS]
    if len(found) > 1:
        raise NotReadable("two answer forms asked")
    if found:
        reading.form = _FORMS[s[found[0]].text]
        del s[found[0]]
        reading.segments = [seg for seg in s if not (seg.kind == "word" and seg.text in ("completely", "fully"))]


def in_form(reading: Reading, value: sympy.Expr) -> tuple[str, sympy.Expr] | None:
    """An expression with letters in the asked form: (kind, value), or None where no form is asked. Only
    polynomials and rational functions; a factoring that finds no factor claims nothing."""
    if not value.is_rational_function():
        raise NotReadable("an expression with a variable that is not a polynomial or a fraction of them")
    if sympy.Symbol("i") in value.free_symbols:
        raise NotReadable("a letter i in an expression to rewrite: the imaginary unit or a variable?")
    if reading.form == "factor":
        factored = sympy.factor(value)
        if not isinstance(factored, (sympy.Mul, sympy.Pow)) or factored == sympy.expand(value) and value.is_polynomial():
            raise NotReadable("nothing to factor out (over the rationals)")
        return "factor", factored
    if reading.form == "expand" or "simplify" in reading.words:
        return "simplify", sympy.expand(value) if value.is_polynomial() else sympy.cancel(value)
    return None


_LINE_JOIN = frozenset("of the a any line graph".split())


def line_equation(reading: Reading, evaluate: Evaluate) -> None:
    """`the slope of the line 2x + 3y = 12`, `the y-intercept of y = 4x - 7`: a line given by a linear equation
    in x and y."""
    s = reading.segments
    for i in range(len(s)):
        if not any(words_at(s, i, name) for name in ("slope", "yintercept", "xintercept")):
            continue
        j = skip_words(s, i + 1, _LINE_JOIN)
        turn = next((w for w in ("perpendicular", "parallel") if s[i].text == "slope" and words_at(s, j, w, "to")), None)
        j = skip_words(s, j + 2, _LINE_JOIN) if turn else j  # `the slope of a line perpendicular to ...`
        if not (is_math(s, j) and s[j].text.count("=") == 1):
            return
        left, right = (evaluate(side) for side in s[j].text.split("="))
        x, y = sympy.Symbol("x"), sympy.Symbol("y")
        difference = sympy.expand(left - right)
        if not difference.free_symbols <= {x, y} or not difference.free_symbols or \
                sympy.Poly(difference, x, y).total_degree() != 1:
            raise NotReadable("not a line's equation in x and y")
        a, b = difference.coeff(x), difference.coeff(y)
        c = difference.subs({x: 0, y: 0})
        name = s[i].text
        if name == "xintercept":
            if a == 0:
                raise NotReadable("a horizontal line: no single x-intercept")
            value = -c / a
        elif b == 0:
            raise NotReadable("a vertical line: no slope or y-intercept")
        else:
            value = -a / b if name == "slope" else -c / b
            if turn == "perpendicular":
                if a == 0:
                    raise NotReadable("a line perpendicular to a horizontal one is vertical: no slope")
                value = -1 / value
        s[i : j + 1] = [Segment("math", f" ({sympy.latex(value)}) ", computed=True)]
        reading.kinds.append("line")
        return


_EXTREMUM = {"minimum": "min", "least": "min", "smallest": "min", "maximum": "max", "greatest": "max",
             "largest": "max"}
_OVER_REALS = ("over", "all", "real", "numbers", "values", "of")


def extremum(reading: Reading, evaluate: Evaluate) -> None:
    """`the minimum value of x^2 - 8x + 20`, `the maximum value of -2x^2 - 3x + 28 over all real x`, `the vertex
    of y = x^2 - 6x + 5`: a quadratic in one variable."""
    s = reading.segments
    for i in range(len(s)):
        vertex = words_at(s, i, "vertex")
        if not (vertex or (s[i].kind == "word" and s[i].text in _EXTREMUM and words_at(s, i + 1, "value", "of"))):
            continue
        j = skip_words(s, i + 1, frozenset({"of", "the", "parabola", "graph"})) if vertex else i + 3
        if not is_math(s, j):
            return
        text = s[j].text
        if vertex:
            text = re.sub(r"^\s*y\s*=", "", text)
        if "=" in text:
            return
        expression = evaluate(text)
        letters = expression.free_symbols
        if len(letters) != 1:
            return
        x = letters.pop()
        stop = j + 1
        over = stop
        while over < len(s) and s[over].kind == "word" and s[over].text in _OVER_REALS + ("for",):
            over += 1
        if over > stop and is_math(s, over) and s[over].text.strip() == str(x):
            stop = over + 1
        if not expression.is_polynomial(x) or sympy.degree(expression, x) != 2:
            return  # `the smallest value of x if ...`: a root's choice, not an extremum
        a, b = expression.coeff(x, 2), expression.coeff(x, 1)
        h = -b / (2 * a)
        k = sympy.expand(expression.subs(x, h))
        if vertex:
            segment = Segment("math", "vertex", computed=True)
            segment.answer = ("vertex", [h, k])
        else:
            if (a > 0) != (_EXTREMUM[s[i].text] == "min"):
                raise IllPosed(f"This parabola opens {'up' if a > 0 else 'down'}, so it has no "
                               f"{'maximum' if a > 0 else 'minimum'} value.")
            segment = Segment("math", f" ({sympy.latex(k)}) ", computed=True)
        s[i:stop] = [segment]
        reading.kinds.append("quadratic")
        return


def digits(reading: Reading, evaluate: Evaluate) -> None:
    """`the units digit of 13^150`, `the sum of the digits of 2^10`: digits of a non-negative integer."""
    s = reading.segments
    for i in range(len(s)):
        if any(words_at(s, i, w, "digit", "of") for w in ("units", "ones", "last")):
            j, name = i + 3, "units"
        elif words_at(s, i, "sum", "of", "the", "digits", "of") or words_at(s, i, "sum", "of", "digits", "of"):
            j, name = i + 5 - (s[i + 2].text == "digits"), "sum"
        elif words_at(s, i, "digit", "sum", "of"):
            j, name = i + 3, "sum"
        else:
            continue
        if not is_math(s, j):
            return
        value = evaluate(s[j].text)
        if not (value.is_Integer and value >= 0):
            raise NotReadable("digits of other than a whole number")
        result = int(value) % 10 if name == "units" else sum(map(int, str(int(value))))
        s[i : j + 1] = [Segment("math", f" ({result}) ", computed=True)]
        reading.kinds.append("digits")
        return


def coefficient(reading: Reading, evaluate: Evaluate) -> None:
    """`the coefficient of x^2 in the expansion of (2x + 1)^3`: a polynomial in one variable, expanded."""
    s = reading.segments
    for i in range(len(s)):
        if not (words_at(s, i, "coefficient", "of") and is_math(s, i + 2) and words_at(s, i + 3, "in")):
            continue
        j = skip_words(s, i + 4, frozenset({"the", "expansion", "of"}))
        term = re.fullmatch(r"\s*([a-z])\s*(?:\^\s*\{?\s*(\d{1,3})\s*\}?)?\s*", s[i + 2].text)
        if not (term and is_math(s, j)):
            return
        x, power = sympy.Symbol(term.group(1)), int(term.group(2) or 1)
        expression = evaluate(s[j].text)
        if expression.free_symbols != {x} or not expression.is_polynomial(x):
            raise NotReadable("a coefficient in other than a polynomial in one variable")
        value = sympy.expand(expression).coeff(x, power)
        s[i : j + 1] = [Segment("math", f" ({sympy.latex(value)}) ", computed=True)]
        reading.kinds.append("coefficient")
        return


_DEFINED = re.compile(r"\s*(?:[fgh]\s*\(\s*([a-z])\s*\)|y)\s*=\s*(.+)")


def inverse(reading: Reading, evaluate: Evaluate) -> None:
    """`find the inverse of f(x) = 2x + 6`: the inverse function, written in the same variable, where the
    function is one-to-one on its whole domain (one solution of y = f(x) for every y)."""
    s = reading.segments
    for i in range(len(s)):
        gap = words_at(s, i + 1, "function")  # `the inverse function of`
        if not (words_at(s, i, "inverse") and words_at(s, i + 1 + gap, "of") and is_math(s, i + 2 + gap)):
            continue
        if gap:
            del s[i + 1]
        defined = _DEFINED.fullmatch(s[i + 2].text)
        if defined is None:
            return
        x = sympy.Symbol(defined.group(1) or "x")
        body = evaluate(defined.group(2))
        if body.free_symbols != {x}:
            raise NotReadable("an inverse of other than a function of its one variable")
        y = sympy.Symbol("_y")
        solutions = sympy.solve(sympy.Eq(y, body), x)
        if len(solutions) != 1:
            raise NotReadable("a function that is not one-to-one: which inverse?")
        segment = Segment("math", "inverse", computed=True)
        segment.answer = ("inverse", [sympy.simplify(solutions[0].subs(y, x))])
        s[i : i + 3] = [segment]
        reading.kinds.append("inverse")
        return


_RELATION = re.compile(r"\\le(?:q)?(?![a-z])|\\ge(?:q)?(?![a-z])|\\lt(?![a-z])|\\gt(?![a-z])|<=|>=|≤|≥|<|>")
_RELATIONS = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
_SPELLED = {"\\le": "<=", "\\leq": "<=", "\\ge": ">=", "\\geq": ">=", "\\lt": "<", "\\gt": ">", "≤": "<=", "≥": ">="}


def inequality(reading: Reading, evaluate: Evaluate) -> None:
    """`solve 5 - 2x > 11`, `-3x + 4 > 19. solve for x`, `|x - 4| < 3 ... in interval notation`, `how many integers
    satisfy |x - 4| < 3`: one inequality in one unknown, polynomial of degree <= 2 or with absolute values of
    such. The answer is the solution set, as an inequality (`x < -3`, `-1 < x < 7`) or, where interval notation
    is asked or the set has two pieces, as intervals; or the number of integers in it."""
    s = reading.segments
    found = [i for i, seg in enumerate(s) if seg.kind == "math" and _RELATION.search(seg.text)]
    if not found:
        return
    if len(found) > 1:
        raise NotReadable("more than one inequality")
    i = found[0]
    relations = _RELATION.findall(s[i].text)
    left_text, right_text = _RELATION.split(s[i].text)[0], _RELATION.split(s[i].text)[-1]
    if len(relations) != 1 or not left_text.strip() or not right_text.strip() or "," in s[i].text:
        raise NotReadable("not one inequality between two expressions")
    relation = _SPELLED.get(relations[0], relations[0])
    left, right = evaluate(left_text), evaluate(right_text)
    letters = (left - right).free_symbols
    if len(letters) != 1:
        raise NotReadable("an inequality in other than one unknown")
    x = letters.pop()
    plain = (left - right).replace(sympy.Abs, lambda arg: arg)
    if not plain.is_polynomial(x) or sympy.degree(plain, x) > 2 or (left - right).has(sympy.I):
        raise NotReadable("an inequality of higher degree or other than polynomial")
    solution = sympy.solve_univariate_inequality(_RELATIONS[relation](left, right), x, relational=False, domain=sympy.S.Reals)
    if solution == sympy.S.EmptySet:
        raise IllPosed("No number satisfies this inequality, so it has no solution.")
    if solution == sympy.S.Reals:
        raise NotReadable("every number satisfies it")
    if "countintegers" in reading.words:
        if not solution.is_bounded if hasattr(solution, "is_bounded") else not (solution.inf.is_finite and solution.sup.is_finite):
            raise NotReadable("infinitely many integers")
        low, high = sympy.floor(solution.inf), sympy.ceiling(solution.sup)
        count = sum(1 for n in range(int(low), int(high) + 1) if solution.contains(n) == sympy.true)
        s[i] = Segment("math", f" ({count}) ", computed=True)
        reading.segments = [seg for seg in s if not (seg.kind == "word" and seg.text == "countintegers")]
        reading.kinds.append("counting")
        return
    segment = Segment("math", "inequality", computed=True)
    form = "interval" if "intervalnotation" in reading.words else "inequality"
    segment.answer = (form, [solution, x])
    s[i] = segment
    reading.segments = [seg for seg in s if not (seg.kind == "word" and seg.text in ("intervalnotation", "inequality"))]
    reading.kinds.append("inequality")


def full_turn(reading: Reading) -> None:
    """`fullturn`, as `reader.clean` respells `for 0 <= x < 2pi` or `in [0, 2pi)`: the solutions asked in one turn."""
    if "fullturn" in reading.words:
        reading.full_turn = True
        reading.segments = [seg for seg in reading.segments if not (seg.kind == "word" and seg.text == "fullturn")]
