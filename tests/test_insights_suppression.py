"""Small-cell suppression, checked against an independent piece of linear algebra.

The rule (saas.insights.suppression) reasons over a graph of equations; this test instead writes
every equation a reader could use (each row, each column, the grand total) as a matrix and asks
numpy whether a hidden cell's value is fixed by the cells shown: it is exactly when the unit
vector of that cell lies in the row space of the equations restricted to the hidden cells.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from saas.insights.suppression import THRESHOLD, Cell, Hidden, Table, rate, suppress


def _equations(table: Table) -> list[list[tuple[int, int, int]]]:
    """Each equation as (row, col, coefficient) over the full grid of cells, totals included."""
    n_rows, n_cols = len(table.row_labels), len(table.col_labels)
    eqs = []
    if table.row_totals:
        for i in range(n_rows + (1 if table.col_totals else 0)):
            eqs.append([(i, j, 1) for j in range(n_cols)] + [(i, n_cols, -1)])
    if table.col_totals:
        for j in range(n_cols + (1 if table.row_totals else 0)):
            eqs.append([(i, j, 1) for i in range(n_rows)] + [(n_rows, j, -1)])
    return eqs


def derivable(table: Table) -> list[tuple[int, int]]:
    """Hidden cells whose exact value follows from the shown ones (by linear algebra)."""
    hidden = [
        (i, j) for i, row in enumerate(table.cells) for j, cell in enumerate(row) if not cell.shown
    ]
    if not hidden:
        return []
    index = {pos: k for k, pos in enumerate(hidden)}
    rows = []
    for eq in _equations(table):
        vector = np.zeros(len(hidden))
        for i, j, coefficient in eq:
            if (i, j) in index:
                vector[index[(i, j)]] += coefficient
        if vector.any():
            rows.append(vector)
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    found = []
    for pos, k in index.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(pos)
    return found


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 5))
    values = draw(
        st.lists(
            st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    row_totals = draw(st.booleans()) if n_cols > 1 else False
    col_totals = draw(st.booleans())
    sensitive = None
    if draw(st.booleans()):
        sensitive = set(draw(st.lists(st.integers(0, n_cols - 1), unique=True)))
        if row_totals:
            sensitive = None  # a row total only adds up columns of the same kind
    return Table(
        key="t",
        title="t",
        row_labels=[f"r{i}" for i in range(n_rows)],
        col_labels=[f"c{j}" for j in range(n_cols)],
        values=values,
        row_totals=row_totals,
        col_totals=col_totals,
        sensitive_cols=sensitive,
    )


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_shown_cell_is_a_small_count_and_no_hidden_cell_can_be_worked_out(table):
    suppress(table)
    for row in table.cells:
        for cell in row:
            if cell.sensitive and cell.shown:
                assert not (0 < cell.value < THRESHOLD), cell
                assert cell.text.replace(",", "") == str(cell.value)  # "1,200" outside a page
            if not cell.sensitive:
                assert cell.shown  # sessions and offers are not about families
            if cell.hidden == Hidden.SMALL:
                assert 0 < cell.value < THRESHOLD and cell.text == "< 5"
    assert derivable(table) == []


@settings(max_examples=100, deadline=None)
@given(tables())
def test_suppression_is_stable(table):
    suppress(table)
    first = [[c.hidden for c in row] for row in table.cells]
    suppress(table)
    assert [[c.hidden for c in row] for row in table.cells] == first


def test_the_checker_sees_a_lone_hidden_cell_in_a_column_with_its_total():
    table = Table(key="t", title="t", row_labels=["a", "b"], col_labels=["n"], values=[[3], [9]])
    table.cells[0][0].hidden = Hidden.SMALL  # primary only, no complement
    assert derivable(table) == [(0, 0)]
    suppress(table)
    assert [c.text for c in table.column(0)] == ["< 5", "x"]
    assert table.totals[0].text == "12"
    assert derivable(table) == []


def test_a_two_way_table_hides_a_rectangle():
    table = Table(
        key="t",
        title="t",
        row_labels=["a", "b", "c"],
        col_labels=["x", "y", "z"],
        values=[[2, 10, 12], [8, 9, 20], [30, 40, 50]],
        row_totals=True,
    )
    suppress(table)
    assert table.cells[0][0].text == "< 5"
    hidden = sum(1 for row in table.cells for c in row if not c.shown)
    assert hidden >= 4
    assert derivable(table) == []


def test_zero_is_shown_and_a_rate_needs_every_count_shown():
    table = suppress(
        Table(key="t", title="t", row_labels=["a", "b"], col_labels=["n"], values=[[0], [7]])
    )
    assert [c.text for c in table.column(0)] == ["0", "7"]
    assert rate(table.body[1][0], table.totals[0]) == 100.0
    assert rate(Cell(3, hidden=Hidden.SMALL), Cell(10)) is None
