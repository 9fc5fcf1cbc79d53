"""Malformed variants of a valid input file, as attackers and old software make them (issue 11).

Each builder takes the valid file (its text, its bytes or its JSON text) and returns the bytes of a variant. The
names are the ids of the parametrised tests.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile

HUGE_CELL = 200_000  # characters: over the csv module's 131,072 limit
DEEP = 100_000  # levels: far beyond json's recursion limit
MIDDLE_DEEP = 200  # levels: json parses it; code that prints or walks it recursively should never see it


# --- CSV text ---------------------------------------------------------------------------------------------------


def excel_unicode_text(text: str, delimiter: str) -> bytes:
    """Excel's "Unicode text" (Unicode-tekst): UTF-16 LE with BOM, tab-separated, CRLF."""
    lines = text.replace(delimiter, "\t").splitlines()
    return codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le") + "\r\n".encode("utf-16-le")


def utf16_be(text: str, delimiter: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


def utf32(text: str, delimiter: str) -> bytes:
    return codecs.BOM_UTF32_LE + text.encode("utf-32-le")


def utf8_bom(text: str, delimiter: str) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


def old_mac(text: str, delimiter: str) -> bytes:
    """CR-only newlines (Mac OS 9 and Excel for Mac's "CSV (Macintosh)")."""
    return "\r".join(text.splitlines()).encode("utf-8") + b"\r"


def utf16_without_bom(text: str, delimiter: str) -> bytes:
    return text.encode("utf-16-le")


def nul_bytes(text: str, delimiter: str) -> bytes:
    lines = text.encode("utf-8").split(b"\n")
    lines[1] = lines[1][:3] + b"\x00\x00" + lines[1][3:]
    return b"\n".join(lines)


def huge_cell(text: str, delimiter: str) -> bytes:
    """The first cell of row 2 holds 200,000 characters."""
    lines = text.splitlines()
    lines[1] = "A" * HUGE_CELL + lines[1]
    return "\n".join(lines).encode("utf-8") + b"\n"


# Read correctly, with clean column names.
CSV_READABLE = {
    "excel-unicode-text": excel_unicode_text,
    "utf-16-be-bom": utf16_be,
    "utf-32-bom": utf32,
    "utf-8-bom": utf8_bom,
    "old-mac-newlines": old_mac,
}
# Refused with a message naming the file.
CSV_REFUSED = {
    "utf-16-without-bom": utf16_without_bom,
    "nul-bytes": nul_bytes,
    "cell-over-128kb": huge_cell,
}


# --- zip --------------------------------------------------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(files: dict[str, bytes]) -> bytes:
    """The finding: a ~150 KB zip holding 150 MB (the first file's header, then newlines)."""
    name, data = next(iter(files.items()))
    header = data.split(b"\n", 1)[0] + b"\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open(name, "w", force_zip64=True) as member:
        member.write(header)
        block = b"\n" * (1024 * 1024)
        for _ in range(150):
            member.write(block)
    return buffer.getvalue()


def lying_sizes(files: dict[str, bytes]) -> bytes:
    """A member whose directory entry says 100 bytes, but which unpacks to 20 MB: the limits must not trust it."""
    name, data = next(iter(files.items()))
    payload = data + b"\n" * (20 * 1024 * 1024)
    raw = zip_of({name: payload})
    real = len(payload).to_bytes(4, "little")
    return raw.replace(real, (100).to_bytes(4, "little"))


def nested_zip(files: dict[str, bytes]) -> bytes:
    return zip_of({"inner.zip": zip_of(files)})


def disguised_nested_zip(files: dict[str, bytes]) -> bytes:
    """A zip inside, named like one of our files."""
    name = next(iter(files))
    return zip_of({name: zip_of(files)})


def many_members(files: dict[str, bytes]) -> bytes:
    return zip_of({**files, **{f"extra/{i}.txt": b"" for i in range(1_200)}})


def truncated_zip(files: dict[str, bytes]) -> bytes:
    data = zip_of(files)
    return data[: len(data) // 2]


ZIP_REFUSED = {
    "zip-bomb": zip_bomb,
    "zip-directory-lies": lying_sizes,
    "zip-in-zip": nested_zip,
    "zip-in-zip-named-csv": disguised_nested_zip,
    "zip-too-many-files": many_members,
    "zip-truncated": truncated_zip,
}


# --- xlsx -------------------------------------------------------------------------------------------------------


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def _rewrite_sheet(xlsx: bytes, change, member: str = r"xl/worksheets/sheet\d+\.xml") -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if re.fullmatch(member, info.filename):
                data = change(data)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def _with_doctype(xlsx: bytes, doctype: str, entity: str) -> bytes:
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        declaration = re.match(r"<\?xml[^>]*\?>", text)
        head = declaration.group(0) if declaration else ""
        body = text[len(head):]
        # The entity goes into the first inline string or value.
        body = re.sub(r"<v>([^<]*)</v>", rf"<v>&{entity};</v>", body, count=1)
        body = re.sub(r"<t>([^<]*)</t>", rf"<t>&{entity};</t>", body, count=1)
        return (head + doctype + body).encode("utf-8")

    return _rewrite_sheet(xlsx, change)


def billion_laughs(xlsx: bytes) -> bytes:
    return _with_doctype(xlsx, LAUGHS, "lol9")


def external_entity(xlsx: bytes) -> bytes:
    return _with_doctype(xlsx, EXTERNAL, "secret")


def sheet_bomb(xlsx: bytes) -> bytes:
    """A sheet whose XML packs 50 MB of whitespace into 50 KB."""
    return _rewrite_sheet(xlsx, lambda data: data.replace(b"<sheetData>", b"<sheetData>" + b" " * (50 * 1024 * 1024)))


def truncated_xlsx(xlsx: bytes) -> bytes:
    return xlsx[: len(xlsx) * 2 // 3]


def broken_sheet_xml(xlsx: bytes) -> bytes:
    return _rewrite_sheet(xlsx, lambda data: data[: len(data) // 2])


def without_sheets(xlsx: bytes) -> bytes:
    """A workbook whose list of sheets is empty (found by the fuzz test: the bid import took the first sheet)."""
    return _rewrite_sheet(xlsx, lambda data: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S),
                          member=r"xl/workbook\.xml")


XLSX_REFUSED = {
    "xlsx-billion-laughs": billion_laughs,
    "xlsx-external-entity": external_entity,
    "xlsx-sheet-bomb": sheet_bomb,
    "xlsx-truncated": truncated_xlsx,
    "xlsx-broken-sheet-xml": broken_sheet_xml,
    "xlsx-without-sheets": without_sheets,
}


# --- JSON -------------------------------------------------------------------------------------------------------


def _first_member(text: str, member: str) -> bytes:
    """`member` ("key": value) put first in the top-level object."""
    start = text.index("{")
    return (text[: start + 1] + member + "," + text[start + 1:]).encode("utf-8")


def deep_nesting(text: str) -> bytes:
    return b"[" * DEEP + b"]" * DEEP


def deep_in_a_field(text: str) -> bytes:
    return _first_member(text, '"deep": ' + "[" * MIDDLE_DEEP + "]" * MIDDLE_DEEP)


def huge_integer(text: str) -> bytes:
    return _first_member(text, '"big": ' + "9" * 5_000)


def nan(text: str) -> bytes:
    return _first_member(text, '"nan": NaN')


def infinity(text: str) -> bytes:
    return _first_member(text, '"inf": -Infinity')


def float_overflow(text: str) -> bytes:
    return _first_member(text, '"huge": 1e999')


def invalid_utf8(text: str) -> bytes:
    data = text.encode("utf-8")
    middle = data.index(b'"', len(data) // 2)
    return data[: middle + 1] + b"\xc3\x28\xff" + data[middle + 1:]


def nul_escape(text: str) -> bytes:
    return _first_member(text, '"nul": "a\\u0000b"')


def top_level_array(text: str) -> bytes:
    return b"[" + text.encode("utf-8") + b"]"


def top_level_string(text: str) -> bytes:
    return b'"a round"'


def top_level_number(text: str) -> bytes:
    return b"42"


def top_level_null(text: str) -> bytes:
    return b"null"


def empty(text: str) -> bytes:
    return b""


def truncated_json(text: str) -> bytes:
    return text.encode("utf-8")[: len(text) // 2]


JSON_REFUSED = {
    "json-nested-100000-deep": deep_nesting,
    "json-nested-200-deep-in-a-field": deep_in_a_field,
    "json-5000-digit-integer": huge_integer,
    "json-nan": nan,
    "json-infinity": infinity,
    "json-1e999": float_overflow,
    "json-invalid-utf8": invalid_utf8,
    "json-nul-character": nul_escape,
    "json-top-level-array": top_level_array,
    "json-top-level-string": top_level_string,
    "json-top-level-number": top_level_number,
    "json-top-level-null": top_level_null,
    "json-empty": empty,
    "json-truncated": truncated_json,
}


def json_utf16(text: str) -> bytes:
    """Windows PowerShell's Out-File writes UTF-16 LE with BOM."""
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


JSON_READABLE = {
    "json-utf-16-bom": json_utf16,
    "json-utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
}
