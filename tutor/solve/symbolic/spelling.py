"""Small typos in the words the reader knows: `solutoins` -> `solutions`, `voluume` -> `volume`, `probabilty`
-> `probability`.

A word is corrected only when it is not a word the reader knows, is at least five letters long, and exactly one
known word is one edit away: a letter dropped or added, or two neighbours swapped; a letter changed only from
nine letters up, and below seven letters only a swap or a doubled letter (`mlies`, `voluume`), as a real word
is often one edit from another (`orange` and `range`, `price` and `prime`, `multiply` and `multiple`). The known words are
the reader's own: its filler and phrase words and the words of its question patterns, so a correction can only
turn a word the reader would have refused into one it reads; whatever the corrected problem then says must
still be read whole, like any other. A word in capitals (the word whose letters are arranged) and a command
(`\\begin{pmatrix}`) are never touched.
"""

from __future__ import annotations

import functools
import re
import string

MIN_LENGTH = 5
ANY_EDIT_LENGTH = 7
CHANGE_LENGTH = 9
_WORD = re.compile(rf"(?<![\\{{A-Za-z])[A-Za-z]{{{MIN_LENGTH},}}(?![A-Za-z])")


def correct(text: str) -> str:
    """`text` with each unknown word that is one edit from exactly one known word replaced by it."""
    known = vocabulary()

    def fix(match: re.Match) -> str:
        word = match.group()
        if word.lower() in known or word.isupper():  # `BANANA`, `MISSISSIPPI`: a word to count letters of
            return word
        candidates = _one_edit(word.lower(), len(word)) & known
        return candidates.pop() if len(candidates) == 1 else word

    return _WORD.sub(fix, text)


@functools.cache
def vocabulary() -> frozenset[str]:
    """Every word the reader reads: filler, phrase and question words, and the words in its patterns."""
    from tutor.solve.symbolic import algebra, questions, reader, stories  # the reader imports this module

    words = set(reader.FILLER | reader.PHRASE_WORDS | questions.QUESTION_WORDS | questions.CHOICE_WORDS
                | algebra.ALGEBRA_WORDS | stories.WORDS)
    patterns = [pattern for pattern, _ in reader._REWRITES] + [pattern for pattern, _, _ in questions._REWRITES]
    for pattern in patterns:
        text = re.sub(r"\\\\[a-zA-Z]+|\\[a-zA-Z]|\?P<\w+>", " ", pattern)  # TeX commands, regex escapes, group names
        words.update(re.findall(rf"[a-z]{{{MIN_LENGTH},}}", text.lower()))
    return frozenset(w for w in words if len(w) >= MIN_LENGTH)


def _one_edit(word: str, length: int) -> set[str]:
    """The words one edit from `word` (what the typed word could have been), as far as its length allows."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    undoubled = {a + b[1:] for a, b in splits if len(b) > 1 and b[0] == b[1]}
    if length < ANY_EDIT_LENGTH:
        return (swaps | undoubled) - {word}
    deletes = {a + b[1:] for a, b in splits if b}
    inserts = {a + c + b for a, b in splits for c in string.ascii_lowercase}
    changes = {a + c + b[1:] for a, b in splits if b for c in string.ascii_lowercase} if length >= CHANGE_LENGTH else set()
    return (deletes | swaps | inserts | changes) - {word}
