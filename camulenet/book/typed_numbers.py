"""Result numbers typed into prose, found so that a test can forbid them.

A number the build computes goes stale the moment it is typed: the README and the chapters'
prose must take it from the build (a ``{glue}`` role, or the README's generated block). What
counts as a **result number**, in Markdown prose:

1. a decimal with two or more digits after the point (``0.422``, ``15.73``, ``.05``): the
   precision of a measured score, p-value or statistic;
2. a decimal with a sign (``+15.7``, ``-0.3``, ``−2.1``): a difference;
3. a decimal followed by ``points`` or ``pp``: a difference in points;
4. any number after a statistic and a relation (``p = 0.04``, ``rho < 0``, ``ECE ≈ 1``).

What is not prose, and so never counts: code (fenced blocks and inline spans), MyST roles
(``{glue:text}`name```, ``{cite:p}`...```), link targets and URLs, HTML comments, the README's
generated block, and the bodies of ``exercise`` and ``solution`` directives (they compute
with the numbers they state). A number followed by a unit of measurement (``47.9 ms``,
``0.65 M``, ``3.07 MB``, ``1.48 times``), or standing in a table column whose header names
one, is a measurement of the machine or a size, not a result of the book: it is not counted.
Version numbers (``1.0.4``, ``Python 3.10``) and DOIs are not counted either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Units that make a number a measurement of time, size, speed or count rather than a result.
UNITS = (r"(?:ns|µs|us|ms|s|sec|seconds?|min|minutes?|h|hours?|days?|[kMGT]i?B(?:/s)?|bytes?|[kMG]|"
         r"GFLOPs?|TFLOPS?|TFLOP/s|samples/s|clips/s|steps/s|times|x|×|Hz|kHz|cores?|threads?|epochs?|"
         r"clips|frames?|parameters|dimensions|bands|coefficients)")
_UNIT_AFTER = re.compile(rf"^\s*{UNITS}(?![\w/])")
_UNIT_IN_HEADER = re.compile(rf"(?<![\w.]){UNITS}(?![\w])|\(|/s\b")

_RESULT = re.compile(r"""
    (?P<stat>\b(?:p|rho|ρ|g|t|ECE|NLL|WA|UA|WF1|MF1|F1)\s*(?:=|<|>|≈|≤|≥)\s*[−+-]?\d*\.?\d+)
  | (?P<signed>(?<![\w.])[−+-]\d+\.\d+)
  | (?P<points>(?<![\w.])\d+\.\d+\s*(?:points|pp)\b)
  | (?P<decimals>(?<![\w.])\d*\.\d{2,}(?![\d.]))
""", re.VERBOSE)
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+|\bdoi:\S+|\b10\.\d{4,9}/\S+")
_NAMED_VERSION = re.compile(r"\b(?:Python|version|v)\s*\d+(?:\.\d+)+")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})(.*)$")


@dataclass(frozen=True)
class Found:
    """A result number typed in prose: the line it is on (1-based), the number, the line's text."""
    line: int
    number: str
    text: str


def prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, text) of every line of prose: code blocks, exercise and solution bodies and
    HTML comments blanked, inline code, roles and link targets removed from the rest."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)
    out, stack = [], []  # stack of open fences: (marker, skip?)
    for i, line in enumerate(text.splitlines(), 1):
        m = _FENCE.match(line)
        if m:
            marker, rest = m.group(2), m.group(3).strip()
            if stack and marker[0] == stack[-1][0][0] and len(marker) >= len(stack[-1][0]) and not rest:
                stack.pop()  # a closing fence
                continue
            directive = re.match(r"\{(\w[\w-]*)\}", rest)
            code = marker[0] in "`~" and not (directive and directive.group(1) not in ("code", "code-block"))
            skip = code or bool(directive and directive.group(1) in ("exercise", "solution", "code-cell"))
            stack.append((marker, skip))
            continue
        if any(skip for _, skip in stack):
            continue
        clean = _NAMED_VERSION.sub("", _LINK_TARGET.sub("", _CODE_SPAN.sub("", _ROLE.sub("", line))))
        if clean.lstrip().startswith(":") and re.match(r"\s*:[\w-]+:", clean):
            continue  # a directive's option line (:label:, :class:)
        out.append((i, clean))
    return out


def _table_units(lines: list[tuple[int, str]]) -> dict[int, list[bool]]:
    """For every line of a Markdown table, which of its columns carry a unit in the header."""
    units, header = {}, None
    for k, (i, line) in enumerate(lines):
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        nxt = lines[k + 1][1] if k + 1 < len(lines) else ""
        if header is None and re.match(r"^\s*\|?\s*:?-{3,}", nxt):
            header = [bool(_UNIT_IN_HEADER.search(c)) and any(ch.isalpha() for ch in c) for c in cells]
        units[i] = header or []
    return units


def result_numbers(markdown: str) -> list[Found]:
    """Every result number typed in the prose of ``markdown`` (see the module's rule)."""
    lines = prose_lines(markdown)
    table_units = _table_units(lines)
    found = []
    for i, line in lines:
        columns = table_units.get(i)
        for m in _RESULT.finditer(line):
            number = m.group(0)
            if _VERSION.fullmatch(number.strip("+-−")) or _VERSION.match(line[m.start():]):
                continue
            if m.lastgroup != "stat" and m.lastgroup != "points" and _UNIT_AFTER.match(line[m.end():]):
                continue
            if columns:
                column = line[:m.start()].count("|") - (1 if line.lstrip().startswith("|") else 0)
                if 0 <= column < len(columns) and columns[column]:
                    continue
            found.append(Found(i, number.strip(), line.strip()))
    return found


def percent_cells(jupytext: str) -> str:
    """The Markdown cells of a Jupytext percent-format notebook, joined, line numbers kept
    (code cells blanked), each line's leading ``# `` removed."""
    out, markdown = [], False
    for line in jupytext.splitlines():
        if line.startswith("# %%"):
            markdown = "[markdown]" in line
            out.append("")
            continue
        out.append(re.sub(r"^# ?", "", line) if markdown else "")
    return "\n".join(out)
