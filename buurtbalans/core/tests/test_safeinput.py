"""core.safeinput: decoding, CSV, zip, xlsx and JSON limits (issue 11). End to end per import: tests/fuzz/."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from django.utils import translation

from buurtbalans.core import safeinput
from buurtbalans.core.safeinput import InputError


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "data",
    [
        "code;naam\nA;Één\n".encode(),
        codecs.BOM_UTF8 + "code;naam\nA;Één\n".encode(),
        codecs.BOM_UTF16_LE + "code;naam\nA;Één\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "code;naam\nA;Één\n".encode("utf-16-be"),
        codecs.BOM_UTF32_LE + "code;naam\nA;Één\n".encode("utf-32-le"),
        codecs.BOM_UTF32_BE + "code;naam\nA;Één\n".encode("utf-32-be"),
        "code;naam\nA;Één\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "windows-1252"],
)
def test_text_is_decoded_by_its_byte_order_mark_then_utf8_then_windows_1252(data):
    assert safeinput.decode_text(data, "f.csv") == "code;naam\nA;Één\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("code;naam\n".encode("utf-16-le"), "f.csv: holds NUL bytes"),  # UTF-16 without its mark
        (b"code;naam\nA\x00;B\n", "f.csv: holds NUL bytes"),
        (codecs.BOM_UTF16_LE + "a\x00b".encode("utf-16-le"), "f.csv: holds NUL characters"),
        (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "f.csv: is not valid UTF-16 text"),  # a lone surrogate
    ],
)
def test_text_with_nul_bytes_or_broken_utf16_is_refused_naming_the_file(data, message):
    with pytest.raises(InputError) as caught:
        safeinput.decode_text(data, "f.csv")
    assert str(caught.value).startswith(message)


def test_json_text_must_be_utf8_not_windows_1252():
    with pytest.raises(InputError, match=r"r.json: is not UTF-8 text \(byte 10\)"):
        safeinput.load_json('{"naam": "Één"}'.encode("cp1252"), "r.json")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_separator_is_sniffed_from_the_header_whatever_ends_the_lines(newline, delimiter):
    text = newline.join([delimiter.join(["a", "b", "c"]), delimiter.join(["1", "x y", "3"]), ""])
    header, rows = safeinput.csv_table(text, "f.csv")
    assert header == ["a", "b", "c"]
    assert list(rows) == [(2, ["1", "x y", "3"])]
    assert safeinput.estimated_rows(text) == 1


def test_a_cell_over_the_csv_limit_is_an_error_on_its_row():
    text = "a;b\n1;2\n3;" + "x" * 200_000 + "\n"
    header, rows = safeinput.csv_table(text, "f.csv")
    assert next(rows) == (2, ["1", "2"])
    with pytest.raises(InputError) as caught:
        next(rows)
    assert (caught.value.file, caught.value.row) == ("f.csv", 3)
    assert str(caught.value) == "f.csv row 3: a cell is longer than 131,072 characters"


def _zip(path, files: dict[str, bytes], **kwargs):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **kwargs) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_a_zip_gives_its_csv_members_by_name_and_leaves_the_rest(tmp_path):
    path = _zip(tmp_path / "a.zip", {"b/dwellings.csv": b"x", "a.csv": b"y", "__MACOSX/._a.csv": b"z", "r.txt": b""})
    assert [(name, read()) for name, read in safeinput.zip_files(path, "a.zip")] == [("a.csv", b"y"),
                                                                                      ("dwellings.csv", b"x")]


@pytest.mark.parametrize(
    ("files", "settings_", "message"),
    [
        ({f"{i}.csv": b"" for i in range(4)}, {"IMPORT_MAX_ZIP_MEMBERS": 3}, "holds more than 3 files"),
        ({"a.csv": b"x" * 2000}, {"IMPORT_MAX_UNZIPPED_BYTES": 1000}, "unpacks to more than"),
        ({"a.csv": b"\n" * (11 * 1024 * 1024)}, {}, "a.csv is packed more than 100 times"),
        ({"in.zip": b"PK\x03\x04"}, {}, "holds another packed file (in.zip)"),
    ],
)
def test_a_zip_that_breaks_a_limit_is_refused_from_its_directory(tmp_path, settings, files, settings_, message):
    for name, value in settings_.items():
        setattr(settings, name, value)
    path = _zip(tmp_path / "a.zip", files)
    with pytest.raises(InputError) as caught:
        safeinput.zip_files(path, "a.zip")
    assert caught.value.file == "a.zip" and message in caught.value.message


def test_a_zip_whose_directory_understates_a_member_is_refused_while_reading(tmp_path):
    payload = b"a;b\n" + b"\n" * (5 * 1024 * 1024)
    data = _zip(io.BytesIO(), {"a.csv": payload}).getvalue()
    (tmp_path / "a.zip").write_bytes(data.replace(len(payload).to_bytes(4, "little"), (10).to_bytes(4, "little")))
    [(name, read)] = safeinput.zip_files(tmp_path / "a.zip", "a.zip")
    with pytest.raises(InputError, match="a.csv cannot be unpacked"):
        read()


def test_the_unpacked_bytes_are_counted_while_reading_too(tmp_path, settings, monkeypatch):
    # zipfile itself never unpacks more than the directory says; should a directory check ever be fooled, the
    # bytes read still count.
    monkeypatch.setattr(safeinput, "check_zip", lambda archive, file, **options: archive.infolist())
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1000
    path = _zip(tmp_path / "a.zip", {"a.csv": b"x" * 600, "b.csv": b"y" * 600})
    [(_a, read_a), (_b, read_b)] = safeinput.zip_files(path, "a.zip")
    read_a()
    with pytest.raises(InputError, match="unpacks to more than"):
        read_b()


def test_a_zip_inside_named_as_csv_is_refused(tmp_path):
    inner = _zip(io.BytesIO(), {"a.csv": b"x"}).getvalue()
    [(_name, read)] = safeinput.zip_files(_zip(tmp_path / "a.zip", {"a.csv": inner}), "a.zip")
    with pytest.raises(InputError, match="holds another packed file"):
        read()


def test_openpyxl_parses_workbooks_with_defusedxml():
    # The dependency that makes entity declarations in an uploaded workbook an error instead of an expansion.
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests lists or objects more than 64 levels deep"),
        ('{"a": ' + "[" * 65 + "]" * 65 + "}", "nests lists or objects more than 64 levels deep"),
        ('{"a": ' + "9" * 5000 + "}", "a number has more than 4300 digits"),
        ('{"a": NaN}', "NaN is not a number JSON allows"),
        ('{"a": -Infinity}', "-Infinity is not a number JSON allows"),
        ('{"a": 1e999}', "the number 1e999 is too large"),
        ('{"a": "\\u0000"}', "holds a NUL character"),
        ('{"a": 1,}', "is not valid JSON (line 1, column 9)"),
        ("[1]", "must hold a JSON object {...}, not array [...]"),
        ('"x"', "must hold a JSON object {...}, not string"),
    ],
)
def test_json_beyond_the_limits_or_of_the_wrong_kind_is_refused_naming_the_file(text, message):
    with pytest.raises(InputError) as caught:
        safeinput.load_json(text.encode(), "r.json", expect=dict)
    assert caught.value.file == "r.json" and message in caught.value.message


def test_json_depth_counts_arrays_and_objects():
    assert not safeinput.json_depth_exceeds({"a": [[1], {"b": 2}]}, 3)
    assert safeinput.json_depth_exceeds({"a": [[1], {"b": [2]}]}, 3)
    assert not safeinput.json_depth_exceeds(5, 0)


def test_json_with_a_byte_order_mark_is_read():
    assert safeinput.load_json(codecs.BOM_UTF16_LE + '{"a": [1.5]}'.encode("utf-16-le"), "r.json") == {"a": [1.5]}
