"""Small-cell suppression: the one rule for every figure derived from families or referrals.

Pages, CSV files, the PDF report and (later) the JSON API all show a `Table` only after
`suppress(table)` has run, so nothing shown can single out a family:

1. **Primary**: a sensitive count from 1 to 4 is hidden and shown as "< 5" (0 stays 0: nobody).
2. **Complementary**: a hidden cell must not be derivable from the cells and totals shown beside
   it. The additive equations of a table (each row sums to its row total, each column to its
   column total, the totals to the grand total) are a bipartite graph: one vertex per equation,
   one edge per cell joining its row equation and its column equation. A hidden cell can be
   worked out exactly if and only if its edge is a *bridge* of the graph of hidden cells (it lies
   on no cycle); a missing equation (a table without row totals, say) is one free vertex that
   closes every path reaching it. So, while a hidden cell is a bridge, one more cell on its row
   or column is hidden: preferably one that closes a cycle, the smallest positive one first.
   Shown as "x" (hidden so that a small number cannot be worked out; the statistical offices' sign).

Columns (or rows) that are not about families (sessions held, offers) are never hidden and take
no part in the equations. A rate is only shown when every count it is computed from is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from saas.i18n import number_text

THRESHOLD = 5


class Hidden(StrEnum):
    NO = ""
    SMALL = "small"  # primary: 1 to THRESHOLD - 1
    COMPLEMENT = "complement"  # complementary: would give a small one away


@dataclass
class Cell:
    value: int | float | None
    sensitive: bool = True
    hidden: Hidden = Hidden.NO

    @property
    def shown(self) -> bool:
        return self.hidden == Hidden.NO

    @property
    def text(self) -> str:
        if self.hidden == Hidden.SMALL:
            return f"< {THRESHOLD}"
        if self.hidden == Hidden.COMPLEMENT:
            return "x"
        return number_text(self.value)  # in the current language: "19", "19,5", "1.234" in Dutch

    @property
    def number(self) -> int | float | None:
        """The value as far as it may be shown: None when hidden."""
        return self.value if self.shown else None


@dataclass
class Table:
    """Counts by row and column, with the totals a reader would add up themselves.

    `row_totals` / `col_totals` say whether the table shows (and is additive over) each row's
    and each column's total; with both, the grand total too. `sensitive_cols` (indexes) are the
    columns about families or referrals; the others (sessions held, offers) are never hidden.
    """

    key: str
    title: str
    row_labels: list[str]
    col_labels: list[str]
    values: list[list[int]]
    row_totals: bool = False
    col_totals: bool = True
    sensitive_cols: set[int] | None = None  # None: every column
    total_label: str = "Total"
    unit: str = ""
    cells: list[list[Cell]] = field(default_factory=list)  # rows incl. totals row, after build
    note: str = ""

    def __post_init__(self) -> None:
        self.build()

    def is_sensitive(self, col: int) -> bool:
        return self.sensitive_cols is None or col in self.sensitive_cols

    def build(self) -> None:
        """Lay out the cells (interior, then totals column and totals row) from the values."""
        n_rows, n_cols = len(self.row_labels), len(self.col_labels)
        grid: list[list[Cell]] = []
        for i in range(n_rows):
            row = [Cell(self.values[i][j], self.is_sensitive(j)) for j in range(n_cols)]
            if self.row_totals:
                sensitive = any(self.is_sensitive(j) for j in range(n_cols))
                row.append(Cell(sum(self.values[i]), sensitive))
            grid.append(row)
        if self.col_totals:
            totals = [
                Cell(sum(self.values[i][j] for i in range(n_rows)), self.is_sensitive(j))
                for j in range(n_cols)
            ]
            if self.row_totals:
                totals.append(
                    Cell(sum(c.value or 0 for c in totals), any(c.sensitive for c in totals))
                )
            grid.append(totals)
        self.cells = grid

    # -- reading, for templates, CSV, PDF and charts ------------------------------------------

    @property
    def body(self) -> list[list[Cell]]:
        return self.cells[: len(self.row_labels)]

    @property
    def totals(self) -> list[Cell] | None:
        return self.cells[-1] if self.col_totals else None

    @property
    def header(self) -> list[str]:
        return self.col_labels + ([self.total_label] if self.row_totals else [])

    def column(self, j: int) -> list[Cell]:
        return [row[j] for row in self.body]

    def cell(self, row: str, col: str) -> Cell:
        return self.cells[self.row_labels.index(row)][self.col_labels.index(col)]

    def total(self, col: int) -> Cell | None:
        return self.totals[col] if self.totals is not None else None

    def any_hidden(self) -> bool:
        return any(not c.shown for row in self.cells for c in row)

    def rows_text(self) -> list[list[str]]:
        """Header, body and totals as the strings every output shows."""
        out = [["", *self.header]]
        for label, row in zip(self.row_labels, self.body, strict=True):
            out.append([label, *(c.text for c in row)])
        if self.totals is not None:
            out.append([self.total_label, *(c.text for c in self.totals)])
        return out


# -- the rule --------------------------------------------------------------------------------

FREE = ("free", 0)


def _equations(table: Table, i: int, j: int) -> tuple[tuple, tuple]:
    """The two equation vertices a cell belongs to (FREE where the table has no such equation)."""
    row_eq = ("row", i) if table.row_totals else FREE
    col_eq = ("col", j) if table.col_totals else FREE
    return row_eq, col_eq


def _sensitive_positions(table: Table) -> list[tuple[int, int]]:
    return [
        (i, j) for i, row in enumerate(table.cells) for j, cell in enumerate(row) if cell.sensitive
    ]


def bridges(table: Table) -> list[tuple[int, int]]:
    """Hidden cells that could be worked out from what is shown (bridges of the hidden graph)."""
    edges = [(i, j) for i, j in _sensitive_positions(table) if not table.cells[i][j].shown]
    return [edge for edge in edges if not _on_cycle(table, edges, edge)]


def _on_cycle(table: Table, edges: list[tuple[int, int]], edge: tuple[int, int]) -> bool:
    start, goal = _equations(table, *edge)
    if start == goal:  # both ends free: a cell in no equation at all
        return True
    adjacency: dict[tuple, list[tuple]] = {}
    for other in edges:
        if other == edge:
            continue
        a, b = _equations(table, *other)
        adjacency.setdefault(a, []).append(b)
        adjacency.setdefault(b, []).append(a)
    seen, stack = {start}, [start]
    while stack:
        vertex = stack.pop()
        if vertex == goal:
            return True
        for nxt in adjacency.get(vertex, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _component(table: Table, edges: list[tuple[int, int]], skip: tuple[int, int], start) -> set:
    adjacency: dict[tuple, list[tuple]] = {}
    for other in edges:
        if other == skip:
            continue
        a, b = _equations(table, *other)
        adjacency.setdefault(a, []).append(b)
        adjacency.setdefault(b, []).append(a)
    seen, stack = {start}, [start]
    while stack:
        for nxt in adjacency.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _complement_for(table: Table, edge: tuple[int, int]) -> tuple[int, int] | None:
    """The cell to hide beside a derivable one: shown, sensitive, on its row or column."""
    i, j = edge
    hidden = [(a, b) for a, b in _sensitive_positions(table) if not table.cells[a][b].shown]
    row_eq, col_eq = _equations(table, i, j)
    far_side = _component(table, hidden, edge, col_eq)  # reachable from the column's end
    candidates = []
    for a, b in _sensitive_positions(table):
        cell = table.cells[a][b]
        if not cell.shown or (a, b) == edge:
            continue
        ends = _equations(table, a, b)
        if row_eq not in ends and col_eq not in ends:
            continue
        # closes a cycle when its other end lies on the far side of the bridge
        other = ends[1] if ends[0] in (row_eq, col_eq) else ends[0]
        closes = (row_eq in ends and other in far_side) or (
            col_eq in ends and other in _component(table, hidden, edge, row_eq)
        )
        value = cell.value or 0
        is_total = a >= len(table.row_labels) or b >= len(table.col_labels)
        candidates.append((not closes, value == 0, is_total, value, a, b))
    if not candidates:
        return None
    *_rest, a, b = min(candidates)
    return a, b


def suppress(table: Table) -> Table:
    """Apply the rule in place (and return the table): small cells, then their complements."""
    for i, j in _sensitive_positions(table):
        cell = table.cells[i][j]
        cell.hidden = Hidden.NO
        if isinstance(cell.value, int) and 0 < cell.value < THRESHOLD:
            cell.hidden = Hidden.SMALL
    for _round in range(len(table.cells) * max(len(r) for r in table.cells or [[0]]) + 1):
        open_bridges = bridges(table)
        if not open_bridges:
            break
        target = _complement_for(table, open_bridges[0])
        if target is None:  # nothing left to hide beside it: hide every sensitive cell
            for a, b in _sensitive_positions(table):
                if table.cells[a][b].shown:
                    table.cells[a][b].hidden = Hidden.COMPLEMENT
            break
        table.cells[target[0]][target[1]].hidden = Hidden.COMPLEMENT
    return table


def suppressed_count(value: int, sensitive: bool = True) -> Cell:
    """A single figure on its own (no totals beside it): hidden when it is 1 to 4."""
    cell = Cell(value, sensitive)
    if sensitive and 0 < value < THRESHOLD:
        cell.hidden = Hidden.SMALL
    return cell


def rate(numerator: Cell | None, denominator: Cell | None, *others: Cell) -> float | None:
    """A percentage, only when every count it rests on is shown (else it would give one away)."""
    cells: Sequence[Cell | None] = (numerator, denominator, *others)
    if any(c is None or not c.shown for c in cells):
        return None
    if not denominator.value:
        return None
    return 100.0 * (numerator.value or 0) / denominator.value
