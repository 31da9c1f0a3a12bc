"""Charts drawn on the server as SVG: no JavaScript, crisp on paper, readable by screen readers.

Each chart draws cells of an already suppressed `Table`, so a hidden figure has no bar (its label
says "< 5" or "•", like the table beside it). Every chart carries a <title> and a <desc>, and
the page shows the numbers as a table next to it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from saas.insights.suppression import Cell, Table

BAR = "#1f5f8b"
HIDDEN = "#9aa5b1"
TEXT = "#212529"
GRID = "#dee2e6"
WIDTH = 640


def _svg(
    key: str, title: str, desc: str, height: int, body: list[str], width: int = WIDTH
) -> Markup:
    """Wrap the drawing; every text put into `body` went through `escape` first."""
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    return Markup(  # noqa: S704 (numbers and escaped text only)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dorp-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="13">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _short(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bars(table: Table, col: int, *, title: str | None = None, key_suffix: str = "") -> Markup:
    """Horizontal bars: one per row of the table, for one column."""
    cells: list[tuple[str, Cell]] = list(zip(table.row_labels, table.column(col), strict=True))
    label_w, value_w, row_h, top = 210, 60, 24, 8
    height = top * 2 + row_h * max(len(cells), 1)
    biggest = max((c.value or 0 for _l, c in cells if c.shown), default=0) or 1
    span = WIDTH - label_w - value_w - 10
    body = []
    for n, (label, cell) in enumerate(cells):
        y = top + n * row_h
        body.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT}">'
            f"{escape(_short(label))}</text>"
        )
        if cell.shown and cell.value:
            width = max(1.0, span * float(cell.value) / float(biggest))
            body.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
                f'fill="{BAR}"/>'
            )
            end = label_w + width + 6
        else:
            end = label_w + 6
        colour = TEXT if cell.shown else HIDDEN
        body.append(f'<text x="{end:.1f}" y="{y + 16}" fill="{colour}">{escape(cell.text)}</text>')
    body.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" stroke="{GRID}"/>'
    )
    heading = title or f"{table.title}: {table.col_labels[col]}"
    desc = "; ".join(f"{label}: {cell.text}" for label, cell in cells)
    return _svg(f"{table.key}-{col}{key_suffix}", heading, desc, height, body)


def matrix(table: Table) -> Markup:
    """A grid of squares shaded by count: who refers to whom (rows send, columns receive)."""
    rows, cols = table.row_labels, table.col_labels
    label_w, top, cell = 190, 120, 56
    height = top + cell * len(rows) + 10
    width_needed = label_w + cell * len(cols)
    biggest = (
        max((c.value or 0 for row in table.body for c in row[: len(cols)] if c.shown), default=0)
        or 1
    )
    body = []
    for j, label in enumerate(cols):
        x = label_w + j * cell + cell / 2
        body.append(
            f'<text transform="translate({x:.0f},{top - 6}) rotate(-40)" fill="{TEXT}" '
            f'font-size="12">{escape(_short(label, 20))}</text>'
        )
    for i, label in enumerate(rows):
        y = top + i * cell
        body.append(
            f'<text x="{label_w - 8}" y="{y + cell / 2 + 4:.0f}" text-anchor="end" fill="{TEXT}" '
            f'font-size="12">{escape(_short(label, 26))}</text>'
        )
        for j in range(len(cols)):
            c = table.body[i][j]
            x = label_w + j * cell
            if c.shown and c.value:
                share = float(c.value) / float(biggest)
                opacity = 0.15 + 0.85 * share
                fill, ink = BAR, "#ffffff" if opacity > 0.55 else TEXT
            else:
                opacity, fill, ink = 1.0, "#ffffff", TEXT if c.shown else "#5c6670"
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}" '
                f'fill-opacity="{opacity:.2f}" stroke="{GRID}"/>'
                f'<text x="{x + cell / 2 - 1:.0f}" y="{y + cell / 2 + 4:.0f}" text-anchor="middle" '
                f'fill="{ink}">{escape(c.text)}</text>'
            )
    desc = "; ".join(
        f"{rows[i]} → {cols[j]}: {table.body[i][j].text}"
        for i in range(len(rows))
        for j in range(len(cols))
        if table.body[i][j].text != "0"
    )
    return _svg(table.key, table.title, desc or "0", height, body, max(WIDTH, width_needed))


def pairs(
    title: str, key: str, items: list[tuple[str, Cell, Cell]], names: tuple[str, str]
) -> Markup:
    """Two bars per item (this period, the previous one), each item scaled on its own."""
    label_w, row_h, top = 210, 40, 26
    height = top + row_h * max(len(items), 1) + 8
    span = WIDTH - label_w - 80
    body = [
        f'<rect x="{label_w}" y="6" width="12" height="12" fill="{BAR}"/>'
        f'<text x="{label_w + 18}" y="17" fill="{TEXT}">{escape(names[0])}</text>'
        f'<rect x="{label_w + 200}" y="6" width="12" height="12" fill="{HIDDEN}"/>'
        f'<text x="{label_w + 218}" y="17" fill="{TEXT}">{escape(names[1])}</text>'
    ]
    for n, (label, now, before) in enumerate(items):
        y = top + n * row_h
        biggest = (
            max((c.value or 0) for c in (now, before) if c.shown)
            if (now.shown or before.shown)
            else 0
        )
        biggest = biggest or 1
        body.append(
            f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" fill="{TEXT}">'
            f"{escape(_short(label))}</text>"
        )
        for k, (c, colour) in enumerate(((now, BAR), (before, HIDDEN))):
            yy = y + 4 + k * 16
            w = span * float(c.value) / float(biggest) if c.shown and c.value else 0
            if w:
                body.append(
                    f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="13" fill="{colour}"/>'
                )
            body.append(
                f'<text x="{label_w + w + 5:.1f}" y="{yy + 11}" fill="{TEXT}" font-size="12">{escape(c.text)}</text>'
            )
    desc = "; ".join(
        f"{label}: {now.text} ({names[0]}), {before.text} ({names[1]})"
        for label, now, before in items
    )
    return _svg(key, title, desc, height, body)


def for_health(health) -> dict[str, Markup]:
    """The dashboard's charts by name: the page and the PDF report draw the same ones."""
    return {
        "by_type": bars(health.reach.by_type, 1),
        "by_line": bars(health.reach.by_line, 1),
        "by_neighbourhood": bars(health.reach.by_neighbourhood, 1),
        "by_state": bars(health.referrals.by_state, 0),
        "flows": matrix(health.referrals.flows),
        "timeliness": bars(health.referrals.timeliness, 0),
        "declines": bars(health.referrals.declines, 0),
        "social_economy": bars(health.social_economy.table, 1),
        "trends": pairs(
            _("This period against the previous one"),
            "trends",
            [(t.label, t.now, t.before) for t in health.trends if not t.unit],
            (health.period.label, health.period.previous().label),
        ),
    }
