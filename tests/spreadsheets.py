"""Hand-built xlsx files for the tests of the import guards: small on disk, whatever they
unpack to. `xlsx(rows, strings)` writes the few parts a reader needs, streaming the sheet's
rows and the shared strings into the zip, so a file that unpacks to a gigabyte is built
without holding it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET}.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def xlsx(
    rows: Iterable[bytes],
    strings: Iterable[Iterable[bytes]] = (),
    *,
    head: bytes = b"",
) -> bytes:
    """An xlsx of one sheet: `rows` are chunks of <row> elements, `strings` the shared
    strings (each an iterable of byte chunks), `head` what comes before <sheetData> (a
    <dimension>, say)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for string in strings:
                part.write(b"<si><t>")
                for piece in string:
                    part.write(piece)
                part.write(b"</t></si>")
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode())
            part.write(head + b"<sheetData>")
            for chunk in rows:
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def text_row(number: int, *cells: str) -> bytes:
    """A <row> of inline strings in columns A, B, …"""
    out = [f'<row r="{number}">']
    for index, value in enumerate(cells):
        ref = f"{chr(65 + index)}{number}"
        out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    out.append("</row>")
    return "".join(out).encode()


def many_rows(count: int, *, start: int = 2, batch: int = 50_000) -> Iterable[bytes]:
    """`count` rows of one number each, in chunks."""
    for first in range(start, start + count, batch):
        last = min(first + batch, start + count)
        yield b"".join(
            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(first, last)
        )


def huge_string(size: int, chunk: int = 1 << 20) -> Iterable[bytes]:
    """One shared string of `size` bytes, in chunks."""
    piece = b"a" * chunk
    for _ in range(size // chunk):
        yield piece
