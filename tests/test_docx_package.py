"""The fast Word package path holds exactly what python-docx's own open and save write."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from conftest import WORD, missing

if missing(*WORD):
    pytest.skip(f"not installed: {', '.join(missing(*WORD))}", allow_module_level=True)

import docx

from mytool.render.docx_package import document_bytes, open_document, read_package
from mytool.resources import templates_dir


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def tiny_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    ends = chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + ends


@pytest.mark.parametrize("name", ["unit_brief.docx", "summary.docx", "department.docx"])
def test_same_members_in_the_same_order_as_python_docx_save(name):
    data = (templates_dir() / name).read_bytes()
    theirs = docx.Document(io.BytesIO(data))
    mine = open_document(read_package(data))
    for document in (theirs, mine):
        document.add_paragraph("段落 ①")
        document.add_picture(io.BytesIO(tiny_png()))
    saved = io.BytesIO()
    theirs.save(saved)
    assert members(document_bytes(mine)) == members(saved.getvalue())


def test_one_reading_gives_independent_documents_and_images_are_stored():
    data = (templates_dir() / "summary.docx").read_bytes()
    reading = read_package(data)
    first = open_document(reading)
    first.add_paragraph("只在第一份")
    first.add_picture(io.BytesIO(tiny_png()))
    second = open_document(reading)
    text = [p.text for p in second.paragraphs]
    assert "只在第一份" not in text
    assert text == [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    with zipfile.ZipFile(io.BytesIO(document_bytes(first))) as archive:
        kinds = {i.filename: i.compress_type for i in archive.infolist()}
    assert kinds["word/media/image1.png"] == zipfile.ZIP_STORED
    assert kinds["word/document.xml"] == zipfile.ZIP_DEFLATED


def test_an_excel_package_is_refused_as_not_word():
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    with pytest.raises(ValueError, match="不是 Word 文档"):
        open_document(read_package(out.getvalue()))
