"""The house style of our PDF reports (A4, reportlab): paragraph styles, tables and rendering.

Reports build a "story" of flowables (tests read its text before rendering) and call `render_pdf`.
"""

from __future__ import annotations

import io

from django.utils.html import escape
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

_STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("bb-title", parent=_STYLES["Title"], fontSize=16, leading=20, alignment=0)
HEADING = ParagraphStyle("bb-heading", parent=_STYLES["Heading2"], fontSize=12, leading=15, spaceBefore=8)
BODY = ParagraphStyle("bb-body", parent=_STYLES["BodyText"], fontSize=9, leading=12)
CELL = ParagraphStyle("bb-cell", parent=BODY, fontSize=8, leading=10)
CELL_BOLD = ParagraphStyle("bb-cell-bold", parent=CELL, fontName="Helvetica-Bold")
MARGIN_SIDE = 18 * mm
MARGIN_TOP_BOTTOM = 16 * mm
PAGE_WIDTH = A4[0] - 2 * MARGIN_SIDE


def pdf_table(header: list[str], rows: list[list], widths: list[float], *, total_last: bool = False) -> Table:
    """A table with a repeated header row; `widths` are fractions of the text width; the last row bold if a total."""
    data = [[Paragraph(escape(str(h)), CELL_BOLD) for h in header]]
    for index, row in enumerate(rows):
        style = CELL_BOLD if total_last and index == len(rows) - 1 else CELL
        data.append([Paragraph(escape(str(cell)), style) for cell in row])
    table = Table(data, colWidths=[w * PAGE_WIDTH for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#4b5c6b")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c5ced6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_pdf(story: list, *, title: str, author: str, lang: str = "nl") -> bytes:
    """Render a story as an A4 PDF with the house margins."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP_BOTTOM,
        bottomMargin=MARGIN_TOP_BOTTOM,
        title=title,
        author=author,
        lang=lang,
    )
    document.build(story)
    return buffer.getvalue()
