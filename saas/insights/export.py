"""The dashboard's tables as CSV files and as a printable PDF report for the council.

Both read the suppressed `Table`s the page shows (cell texts: "< 5", "x"), never raw counts.
The PDF is built with fpdf2 (pure Python) in its core font, so it needs no system libraries; it
draws the page's own SVG charts (fpdf2 reads SVG) beside its tables.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

from flask_babel import format_date, format_datetime, pgettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from saas.i18n import hours_text, number_text, percent_text
from saas.insights import charts
from saas.insights.suppression import THRESHOLD, Table
from saas.models_base import utcnow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """A spreadsheet must not run a partner's name as a formula."""
    return "'" + text if text.startswith(FORMULA_START) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(".", "").replace(",", "."))  # "-1.234,5" as Dutch writes it, too
    except ValueError:
        return False
    return True


def csv_bytes(table: Table) -> bytes:
    """Semicolon-separated with a byte-order mark: opens as columns in a Flemish spreadsheet.

    These files are for people (stewards, the municipality) who open them in Excel or
    LibreOffice, not for machines (the JSON API is for those): every number is written as the
    page shows it, in the page's language (`Cell.text`, Babel), so in Dutch and French with a
    decimal comma ("4,5"), which a Belgian spreadsheet reads as a number; the `;` separator
    leaves the comma to the numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    rows = table.rows_text()
    rows[0][0] = table.title
    for row in rows:
        writer.writerow([_safe(value) for value in row])
    writer.writerow([])
    writer.writerow([legend()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def legend() -> str:
    return _(
        "< %(n)s: fewer than %(n)s (1 to %(m)s). x: hidden so that a small number cannot be "
        "worked out from the totals.",
        n=THRESHOLD,
        m=THRESHOLD - 1,
    )


def attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# -- PDF -----------------------------------------------------------------------------------------

REPLACE = {
    "…": "...",
    "–": "-",
    "—": "-",
    "→": "->",
    "•": "x",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u202f": " ",  # the narrow no-break space of French numbers and percentages
}


def _latin(text: str) -> str:
    for old, new in REPLACE.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


class _Report(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 6, _latin(f"{self.footer_text} - {self.page_no()}"), align="C")


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.set_font("helvetica", "B", size)
    pdf.multi_cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=9)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("helvetica", size=9)
    pdf.multi_cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


CELL_PADDING = 2.2  # mm: fpdf2's table cell padding on both sides, with a little air
SMALLEST_HEADER = 6  # pt: a header is set smaller rather than cut inside a word


def _longest_word(pdf: FPDF, text: str) -> float:
    return max((pdf.get_string_width(word) for word in _latin(text).split()), default=0.0)


def column_widths(
    pdf: FPDF, headers: list[str], first: float, size: float
) -> tuple[tuple[float, ...], float]:
    """Column widths (mm) and the header's font size (pt) such that no header word is cut in
    two: each column at least as wide as its longest header word in bold; the rest of the
    page's width shared out evenly. When even the narrowest fit is wider than the page, the
    headers are set smaller, down to SMALLEST_HEADER."""
    n = len(headers)
    while True:
        pdf.set_font("helvetica", "B", size)
        needed = [_longest_word(pdf, h) + CELL_PADDING for h in headers]
        if sum(needed[1:]) + min(first, needed[0]) <= pdf.epw or size <= SMALLEST_HEADER:
            break
        size -= 0.5
    first_width = max(min(first, pdf.epw - sum(needed[1:])), needed[0])
    spare = pdf.epw - first_width - sum(needed[1:])
    widths = [first_width, *(w + max(spare, 0) / max(n - 1, 1) for w in needed[1:])]
    scale = min(1.0, (pdf.epw - 0.01) / sum(widths))  # never wider than the page (rounding)
    return tuple(w * scale for w in widths), size


def _grid(pdf: FPDF, rows: list[list[str]], first: float, size: float, bold_last: bool) -> None:
    """A table whose header words are never cut: see `column_widths`."""
    widths, header_size = column_widths(pdf, rows[0], first, size)
    n = len(rows[0])
    pdf.set_font("helvetica", size=size)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (n - 1))),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 241), size_pt=header_size),
        line_height=4.5,
        width=sum(widths),
        align="LEFT",
    ) as grid:
        for i, row in enumerate(rows):
            cells = grid.row()
            style = FontFace(emphasis="BOLD") if (bold_last and i == len(rows) - 1) else None
            for value in row:
                cells.cell(_latin(value), style=style)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table, *, extra: dict[str, str] | None = None) -> bool:
    """The table under its title; False (and a line that says so) when it has no rows."""
    rows = table.rows_text()
    if extra is not None:
        rows[0].append(_("Last activity"))
        for row in rows[1 : 1 + len(table.row_labels)]:
            row.append(extra.get(row[0], ""))
        if table.totals is not None:
            rows[-1].append("")
    if len(rows) == 1:
        _paragraph(pdf, _("Nothing to show for this period."))
        return False
    _heading(pdf, table.title, 10)
    n = len(rows[0])
    _grid(pdf, rows, 55 if n > 3 else 90, 7 if n > 6 else 8, table.totals is not None)
    return True


_SVG_SIZE = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')
_SVG_TEXT = re.compile(r">([^<]+)<")  # the words between the drawing's tags
_SVG_UNREAD = re.compile(r"<title[^>]*>.*?</title>|<desc[^>]*>.*?</desc>", re.S)


def _chart(pdf: FPDF, svg: str) -> None:
    """One of the page's SVG charts, drawn as vectors across the page's width (fpdf2 reads
    SVG). Its text is written in the PDF's core font, like the rest of the report; the title
    and description, for screen readers on the page, are the table's heading here."""
    width, height = (float(v) for v in _SVG_SIZE.search(svg).groups())
    drawn_height = pdf.epw * height / width
    if pdf.get_y() + drawn_height > pdf.page_break_trigger:
        pdf.add_page()
    drawing = _SVG_TEXT.sub(lambda m: f">{_latin(m.group(1))}<", _SVG_UNREAD.sub("", svg))
    pdf.image(io.BytesIO(drawing.encode("latin-1")), w=pdf.epw)
    pdf.ln(2)


def pdf_report(health, network) -> bytes:
    period = health.period
    created = format_datetime(utcnow(), "d MMMM yyyy HH:mm")
    pdf = _Report(f"{network.name} - {period.label}")
    pdf.set_title(_latin(_("Health of the network") + f" {network.name} {period.code}"))
    pdf.set_author("Dorp")
    pdf.add_page()
    _heading(pdf, _("Health of the network"), 18)
    _heading(pdf, f"{network.name} - {period.label}", 13)
    _paragraph(
        pdf,
        _(
            "Made on %(when)s. Figures in aggregate only; no family can be recognised.",
            when=created,
        ),
    )
    _paragraph(pdf, legend())

    _heading(pdf, _("At a glance"))
    trend_rows = [
        [
            _("Figure"),
            period.label,
            period.previous().label,
            pgettext("difference between two periods", "Change"),
        ]
    ]
    for t in health.trends:
        trend_rows.append([t.label, t.now_text, t.before_text, t.change_text])
    drawn = charts.for_health(health)
    _grid(pdf, trend_rows, 80, 8, False)
    _chart(pdf, drawn["trends"])

    _heading(pdf, _("Whom the network reaches"))
    _paragraph(
        pdf,
        _(
            "Families reached for the first time: %(f)s. Children who entered kindergarten on time (where partners record it): %(k)s. Neighbourhoods with activities: %(n)s.",
            f=health.reach.families_reached.text,
            k=health.reach.kindergarten_on_time.text,
            n=number_text(health.reach.neighbourhoods_reached),
        ),
    )
    for table, chart in (
        (health.reach.by_type, "by_type"),
        (health.reach.by_line, "by_line"),
        (health.reach.by_neighbourhood, "by_neighbourhood"),
    ):
        if _table(pdf, table):
            _chart(pdf, drawn[chart])

    _heading(pdf, _("Referrals between partners"))
    r = health.referrals
    _paragraph(
        pdf,
        _(
            "Accepted: %(a)s. Completed (of those accepted): %(c)s. Median time to a first answer: %(m)s.",
            a=percent_text(r.acceptance_rate),
            c=percent_text(r.completion_rate),
            m=hours_text(r.median_response_hours),
        ),
    )
    for table, chart in (
        (r.by_state, "by_state"),
        (r.timeliness, "timeliness"),
        (r.declines, "declines"),
        (r.flows, "flows"),
    ):
        if _table(pdf, table):
            _chart(pdf, drawn[chart])

    _heading(pdf, _("The catalogue and its gaps"))
    _table(pdf, health.coverage)
    if health.gaps:
        _paragraph(
            pdf,
            _(
                "Gaps (no activity ran): %(gaps)s.",
                gaps="; ".join(f"{a} / {b}" for a, b in health.gaps),
            ),
        )
    _paragraph(
        pdf,
        _(
            "Active partners: %(a)s of %(t)s.",
            a=number_text(health.partners.active),
            t=number_text(health.partners.total),
        ),
    )
    last = {
        name: (format_date(m, "d MMM yyyy") if m else "-")  # as the page writes it
        for name, m in health.partners.last_activity.items()
    }
    _table(pdf, health.partners.table, extra=last)

    _heading(pdf, _("What the social economy delivers"))
    se = health.social_economy
    _paragraph(
        pdf,
        _(
            "Sessions staffed: %(s)s; hours of activity: %(h)s; of which parent salons: %(p)s.",
            s=number_text(se.sessions_staffed),
            h=number_text(se.activity_hours),
            p=number_text(se.salons),
        )
        + " "
        + (
            _(
                "Hours the team was rostered on sessions held: %(r)s, of which in orange hours: %(o)s.",
                r=number_text(se.roster_hours),
                o=number_text(se.orange_hours),
            )
            if se.roster_hours is not None
            else _("No published roster covers the sessions of this period.")
        ),
    )
    if _table(pdf, se.table):
        _chart(pdf, drawn["social_economy"])
    return bytes(pdf.output())
