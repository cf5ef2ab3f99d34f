"""click options as every bulkload command declares them: each with its BULKLOAD_* variable, in groups.

An option's variable is `BULKLOAD_<OPTION>` (the long name, `-` as `_`, upper case) unless it names
another; a group applies several options as one decorator, in the order written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _env(name: str) -> str:
    return "BULKLOAD_" + name.upper()


class ListFromEnv(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click stubs
    """A repeatable option whose environment variable holds several values separated by ';'."""

    name = "text"
    envvar_list_splitter = ";"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The value as text."""
        return str(value)


def option_group(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several option decorators applied as one, in the order given."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def option(*names: str, **kwargs: Any) -> Callable[[F], F]:
    """click.option with the BULKLOAD_<NAME> environment variable every option has."""
    long = next(n for n in names if n.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", _env(long[2:].replace("-", "_")))
    kwargs.setdefault("show_envvar", True)
    return click.option(*names, **kwargs)
