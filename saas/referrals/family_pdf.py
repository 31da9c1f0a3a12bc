"""The family's copy as a PDF (fpdf2, pure Python), for a steward to hand over or send.

Written in DejaVu Sans, a Unicode TrueType font (Debian's fonts-dejavu-core, which Chromium's
fontconfig brings along), so Turkish and French letters print as typed; where that font is
missing, fpdf2's core Helvetica with the Latin-1 letters only, as the health report does.
Arabic needs text shaping (fpdf2 asks for uharfbuzz, which is not locked): the Arabic copy is
the printable page, and `PDF_LANGUAGES` leaves Arabic out.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from saas.referrals.family_copy import Line, ReferralCopy

PDF_LANGUAGES = ("nl", "en", "fr", "tr")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
LATIN_ONLY = {"–": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "\u202f": " "}


class _Copy(FPDF):
    def __init__(self, footer: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(18, 15, 18)
        self.unicode = FONT.exists() and FONT_BOLD.exists()
        if self.unicode:
            self.add_font("dejavu", "", str(FONT))
            self.add_font("dejavu", "B", str(FONT_BOLD))
        self.family = "dejavu" if self.unicode else "helvetica"

    def text_of(self, text: str) -> str:
        if self.unicode:
            return text
        for old, new in LATIN_ONLY.items():
            text = text.replace(old, new)
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.cell(0, 6, self.text_of(f"{self.footer_text} – {self.page_no()}"), align="C")

    def heading(self, text: str, size: int) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.set_font(self.family, size=10)
        self.multi_cell(0, 5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def lines(self, lines: list[Line]) -> None:
        with self.table(
            col_widths=(55, self.epw - 55),
            first_row_as_headings=False,
            line_height=5,
            borders_layout="HORIZONTAL_LINES",
        ) as grid:
            for line in lines:
                row = grid.row()
                row.cell(self.text_of(line.label))
                row.cell(self.text_of(line.value))
        self.ln(3)


def pdf_bytes(copies: list[ReferralCopy], *, network: str, made_on: str) -> bytes:
    """The copy of these referrals, in the language the caller chose."""
    title = _("What %(network)s keeps about you", network=network)
    pdf = _Copy(title)
    pdf.set_title(pdf.text_of(title))
    pdf.set_author("Dorp")
    pdf.add_page()
    pdf.heading(title, 16)
    pdf.paragraph(_("Made on %(date)s, at your request.", date=made_on))
    pdf.paragraph(
        _(
            "Partners of the network pass on a family's question only with its consent. This is "
            "everything the network keeps about your family. Ask the network if you want it "
            "corrected or removed."
        )
    )
    for copy in copies:
        pdf.heading(copy.heading, 13)
        pdf.set_font(pdf.family, size=9)
        pdf.lines(copy.about)
        for n, consent in enumerate(copy.consents, start=1):
            pdf.heading(_("Consent %(number)s", number=n), 11)
            pdf.set_font(pdf.family, size=9)
            pdf.lines(consent)
        if copy.messages:
            pdf.heading(_("Messages between the partners"), 11)
            pdf.set_font(pdf.family, size=9)
            pdf.lines(copy.messages)
        if copy.timeline:
            pdf.heading(_("What happened, step by step"), 11)
            pdf.set_font(pdf.family, size=9)
            pdf.lines(copy.timeline)
    return bytes(pdf.output())
