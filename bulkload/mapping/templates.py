"""--name-template and --description-template: text with `{Column}` placeholders, compiled once.

`{{` and `}}` are literal braces. A placeholder over an empty cell makes the row invalid, naming the
placeholder: a half-filled `'Call back '` would reach the service as if it were meant.
"""

from __future__ import annotations

from collections.abc import Mapping

from bulkload.errors import ConfigError
from bulkload.mapping.members import DESCRIPTION, NAME
from bulkload.mapping.options import MappingOptions

__all__ = ["TemplateParts", "compile_template", "empty_placeholders", "given_templates", "render"]

# A compiled template: (text, is_column) parts, literal text and placeholders in order.
TemplateParts = tuple[tuple[str, bool], ...]


def given_templates(options: MappingOptions) -> list[tuple[str, str, str]]:
    """(member, option, template) for each template option given, Name first."""
    candidates = (
        (NAME, "--name-template", options.name_template),
        (DESCRIPTION, "--description-template", options.description_template),
    )
    return [(member, option, template) for member, option, template in candidates if template is not None]


def compile_template(template: str, option: str) -> TemplateParts:
    """A template as (text, is_column) parts; a ConfigError naming `option` for an unbalanced brace."""
    parts: list[tuple[str, bool]] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        char = template[i]
        if char == "{" and template.startswith("{{", i):
            literal.append("{")
            i += 2
        elif char == "}" and template.startswith("}}", i):
            literal.append("}")
            i += 2
        elif char == "{":
            end = template.find("}", i + 1)
            if end < 0:
                raise ConfigError(
                    f"{option} {template!r}: '{{' at {i} is never closed; write {{{{ for a brace"
                )
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((template[i + 1 : end], True))
            i = end + 1
        elif char == "}":
            raise ConfigError(f"{option} {template!r}: '}}' at {i} closes nothing; write }}}} for a brace")
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return tuple(parts)


def render(parts: TemplateParts, cells: Mapping[str, str]) -> str:
    """The template's text for one row; a placeholder of an empty cell renders as nothing."""
    return "".join(cells.get(text, "") if is_column else text for text, is_column in parts)


def empty_placeholders(parts: TemplateParts, cells: Mapping[str, str]) -> str | None:
    """Why the template cannot be filled on this row (its placeholders over empty cells), or None."""
    empty = [f"{{{text}}}" for text, is_column in parts if is_column and not cells.get(text)]
    if not empty:
        return None
    if len(empty) == 1:
        return f"the template's {empty[0]} is empty on this row"
    return f"the template's {', '.join(empty[:-1])} and {empty[-1]} are empty on this row"
