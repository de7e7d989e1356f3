"""Opening a Word template and zipping a rendered document, with less work than python-docx's
`Document()` and `save()` and the same document inside.

A run renders 25 documents from four templates. Per document, python-docx unzipped the
template, parsed every XML part and wrote every part back, deflated at zlib's default level:

- the template is unzipped (and its relationships read) once per run; each document builds
  its parts from that reading;
- the styles, numbering and settings parts stay bytes, copied as they are: rendering never
  touches them, and parsing and writing back styles.xml (350 KB in the bundled templates)
  cost more than rendering a brief's text;
- the zip is deflated at level 1 (a third of the time of the default level, the file ~10%
  larger); images, compressed already, are stored.

Only the Word paths import this module (python-docx is heavy); `_ContentTypesItem` is
python-docx's own [Content_Types].xml writer, used as its `save` uses it.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx.opc.constants import CONTENT_TYPE
from docx.opc.package import Unmarshaller
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.part import Part, PartFactory
from docx.opc.pkgreader import PackageReader
from docx.opc.pkgwriter import _ContentTypesItem
from docx.package import Package

# Parts whose bytes are copied unparsed (rendering fills in the document, headers, footers,
# footnotes and properties only).
_KEPT_AS_BYTES = frozenset(
    "application/vnd.openxmlformats-officedocument.wordprocessingml." + kind
    for kind in ("styles+xml", "numbering+xml", "settings+xml")
)
_STORED = (".png", ".jpeg", ".jpg", ".gif")
_DEFLATE_LEVEL = 1


def read_package(data: bytes) -> Any:
    """The unzipped parts and relationships of a .docx (python-docx's `PackageReader`)."""
    return PackageReader.from_file(io.BytesIO(data))


def open_document(reading: Any) -> Any:
    """A fresh python-docx `Document` built from `read_package`'s reading (which stays
    unchanged: every part is made anew from its bytes)."""

    def make_part(partname: Any, content_type: str, reltype: str, blob: bytes, package: Any) -> Any:
        if content_type in _KEPT_AS_BYTES:
            return Part.load(partname, content_type, blob, package)
        return PartFactory(partname, content_type, reltype, blob, package)

    package = Package()
    Unmarshaller.unmarshal(reading, package, make_part)
    part = package.main_document_part
    if part.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
        raise ValueError(f"不是 Word 文档（内容类型 {part.content_type}）")
    return part.document


def document_bytes(document: Any) -> bytes:
    """The .docx of `document`, holding what python-docx's `save` writes, in the same order."""
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as archive:

        def write(name: str, blob: bytes) -> None:
            stored = name.lower().endswith(_STORED)
            archive.writestr(name, blob, zipfile.ZIP_STORED if stored else None)

        write(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob)
        write(PACKAGE_URI.rels_uri.membername, package.rels.xml)
        for part in parts:
            write(part.partname.membername, part.blob)
            if len(part.rels):
                write(part.partname.rels_uri.membername, part.rels.xml)
    return out.getvalue()
