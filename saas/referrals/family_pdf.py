"""The family's copy as a PDF (fpdf2, pure Python), for a steward to hand over or send.

Written in DejaVu Sans, a Unicode TrueType font (Debian's fonts-dejavu-core, which Chromium's
fontconfig brings along), so Turkish and French letters print as typed; where that font is
missing, fpdf2's core Helvetica with the Latin-1 letters only, as the health report does.
Arabic is shaped (its letters joined) and laid out right to left by HarfBuzz through uharfbuzz
and fpdf2's text shaping; it needs DejaVu Sans, so without the font `pdf_languages()` leaves
Arabic out and the Arabic copy is the printable page.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from saas.referrals.family_copy import Line, ReferralCopy

LATIN_LANGUAGES = ("nl", "en", "fr", "tr")
RIGHT_TO_LEFT = {"ar": ("arab", "ara")}  # language: (HarfBuzz script, OpenType language)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
LATIN_ONLY = {"–": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "\u202f": " "}


def _unicode_font() -> bool:
    return FONT.exists() and FONT_BOLD.exists()


def pdf_languages() -> tuple[str, ...]:
    """The languages a PDF copy can be made in on this machine (Arabic needs DejaVu Sans)."""
    return LATIN_LANGUAGES + (tuple(RIGHT_TO_LEFT) if _unicode_font() else ())


class _Copy(FPDF):
    def __init__(self, footer: str, language: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(18, 15, 18)
        self.unicode = _unicode_font()
        if self.unicode:
            self.add_font("dejavu", "", str(FONT))
            self.add_font("dejavu", "B", str(FONT_BOLD))
        self.family = "dejavu" if self.unicode else "helvetica"
        self.rtl = language in RIGHT_TO_LEFT
        self.align = "R" if self.rtl else "L"
        if self.rtl:
            script, opentype_language = RIGHT_TO_LEFT[language]
            self.set_text_shaping(
                use_shaping_engine=True,
                direction="rtl",
                script=script,
                language=opentype_language,
            )

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
        self.multi_cell(
            0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT", align=self.align
        )
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.set_font(self.family, size=10)
        self.multi_cell(0, 5, self.text_of(text), new_x="LMARGIN", new_y="NEXT", align=self.align)
        self.ln(1)

    def lines(self, lines: list[Line]) -> None:
        """Label and value side by side; right to left, the label stands on the right."""
        widths = (55, self.epw - 55)
        with self.table(
            col_widths=widths[::-1] if self.rtl else widths,
            first_row_as_headings=False,
            line_height=5,
            borders_layout="HORIZONTAL_LINES",
            text_align="RIGHT" if self.rtl else "LEFT",
        ) as grid:
            for line in lines:
                row = grid.row()
                pair = (self.text_of(line.label), self.text_of(line.value))
                for text in pair[::-1] if self.rtl else pair:
                    row.cell(text)
        self.ln(3)


def pdf_bytes(
    copies: list[ReferralCopy], *, network: str, made_on: str, language: str = "nl"
) -> bytes:
    """The copy of these referrals, in the language the caller chose (and forced)."""
    title = _("What %(network)s keeps about you", network=network)
    pdf = _Copy(title, language)
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
