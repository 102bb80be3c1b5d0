"""Command-line options generated from config dataclasses (as TRL's `TrlParser` builds its CLI from its configs).

    add_config_arguments(parser, SolveConfig)            # --n, --temperature, --no-step-check, ... with help
    config = config_from_arguments(SolveConfig, args)    # the options given, every other field its default

Each field becomes `--field-name`; its help is the field's docstring and its default the dataclass's, so a
default exists only in the dataclass. A bool field becomes `--x/--no-x`. Fields the command line should not
set are named in `skip`.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import textwrap
import typing
from functools import cache
from typing import Any

from tutor.errors import ConfigError


@cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of a dataclass and its bases (`x: int = 1` then `\"\"\"...\"\"\"`)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field_node, doc_node in zip(body, body[1:]):
            if (isinstance(field_node, ast.AnnAssign) and isinstance(field_node.target, ast.Name)
                    and isinstance(doc_node, ast.Expr) and isinstance(doc_node.value, ast.Constant)
                    and isinstance(doc_node.value.value, str)):
                docs[field_node.target.id] = " ".join(doc_node.value.value.split())
    return docs


def _scalar_type(annotation: Any) -> type:
    if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else str
    return annotation if annotation in (int, float, str, bool) else str


def add_config_arguments(parser: argparse.ArgumentParser, cls: type, skip: tuple[str, ...] = (),
                         choices: dict[str, tuple] | None = None) -> None:
    """One option per field of `cls` not in `skip`; `choices` restricts a field's values."""
    docs = field_docs(cls)
    hints = typing.get_type_hints(cls)
    defaults = cls()
    for spec in dataclasses.fields(cls):
        if spec.name in skip:
            continue
        default = getattr(defaults, spec.name)
        kind = _scalar_type(hints[spec.name])
        help_text = docs.get(spec.name, "")
        flag = "--" + spec.name.replace("_", "-")
        if kind is bool:
            parser.add_argument(flag, dest=spec.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                                help=f"{help_text} (default: {'on' if default else 'off'})")
            continue
        parser.add_argument(flag, dest=spec.name, type=kind, default=argparse.SUPPRESS,
                            choices=(choices or {}).get(spec.name),
                            help=f"{help_text} (default: {default})".replace("%", "%%"))


def config_from_arguments(cls: type, args: argparse.Namespace, **overrides: Any) -> Any:
    """An instance of `cls` from the options that were given (the rest keep their defaults) and `overrides`."""
    names = {spec.name for spec in dataclasses.fields(cls)}
    values = {name: value for name, value in vars(args).items() if name in names}
    values.update(overrides)
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"bad {cls.__name__} options: {exc}") from exc
