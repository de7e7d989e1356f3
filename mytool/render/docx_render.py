"""Word documents from .docx templates holding Jinja2 tags (docxtpl), bundled or an office's own.

An office opens a bundled template (`templates/*.docx`) in Word or WPS, changes the letterhead or
a heading, and puts it in `--template-dir`. A template there is untrusted like the Markdown ones:
it is read by the same guarded reader (a regular file inside the folder, no symlinks, at most
`MAX_DOCX_BYTES`), its zip may not unpack to more than `MAX_UNPACKED_BYTES`, and it renders in
the same bounded sandbox (size and time limits), with XML escaping of every value. A broken
template is a `UsageError` naming the template and the tag.
"""

from __future__ import annotations

import io
import re
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError

from mytool.errors import UsageError
from mytool.files import shown
from mytool.render.docx_package import document_bytes, open_document, read_package
from mytool.render.labels import score_text
from mytool.render.template_filters import chinese_date, ranked, signed
from mytool.render.template_guard import (
    BoundedEnvironment,
    TemplateLimitError,
    _deadline,
    check_template_dir,
    read_template_file,
    render_bounded,
)
from mytool.resources import templates_dir

MAX_DOCX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2000
_TAG = re.compile(r"\{[{%].*?[%}]\}")
_XML = re.compile(r"<[^>]+>")


def docx_environment() -> Any:
    """The bounded sandbox the Word templates render in (build it once per run)."""
    environment = BoundedEnvironment(undefined=StrictUndefined, autoescape=True)
    environment.filters.update(score=score_text, signed=signed, date=chinese_date, rank=ranked)
    environment.bound_filters()
    return environment


def template_bytes(name: str, template_dir: Path | None) -> tuple[bytes, str]:
    """The template `name` from `template_dir` when it has one, else the bundled one."""
    if template_dir is not None:
        folder = check_template_dir(template_dir)
        data = read_template_file(folder, name, MAX_DOCX_BYTES)
        if data is not None:
            _check_zip(data, folder / name)
            return data, shown(folder / name)
    path = templates_dir() / name
    return path.read_bytes(), name


def _check_zip(data: bytes, path: Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UsageError(
            f"模板 {shown(path)} 不是 Word .docx 文件（请在 Word/WPS 中另存为 .docx）"
        ) from exc
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        raise UsageError(
            f"模板 {shown(path)} 解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB 的限制，"
            "已拒绝读取"
        )


class WordRenderer:
    """Renders the Word documents of one run: each template is read, checked, cleaned up for
    Jinja (docxtpl's `patch_xml`) and compiled once, not once per document.

    Compiling a template's XML cost more than rendering it, and a run renders 25 documents
    from four templates. Each is zipped by `docx_package.document_bytes`, not docxtpl's
    `save` (which adds nothing here: no pictures or zip members are replaced).
    """

    def __init__(self, template_dir: Path | None) -> None:
        self.environment = docx_environment()
        self._template_dir = template_dir
        self._sources: dict[str, tuple[bytes, str]] = {}
        self._readings: dict[str, Any] = {}
        self._template_class = _bounded_template_class(self.environment)

    def render(self, name: str, context: Callable[[Any], dict[str, Any]]) -> bytes:
        """The rendered document; `context(template)` builds the variables (images need the
        template object)."""
        template, where = self._template(name)
        environment = self.environment
        variables = context(template)
        try:
            with _deadline(60):
                template.render(variables, environment)
        except TemplateSyntaxError as exc:
            tag = _tag_at(template, exc.lineno, environment)
            raise UsageError(f"模板 {where} 中的标签 {tag} 有语法错误：{exc.message}") from exc
        except TemplateLimitError as exc:
            raise UsageError(f"模板 {where}：{exc}") from exc
        except (TemplateError, TypeError, ValueError, AttributeError, LookupError) as exc:
            tag = _tag_at(template, _failed_line(exc), environment)
            raise UsageError(f"模板 {where} 中的标签 {tag} 出错：{exc}") from exc
        return document_bytes(template.docx)

    def _template(self, name: str) -> tuple[Any, str]:
        """A docxtpl template of `name` and where it comes from; its package is unzipped
        once per run (`mytool.render.docx_package`), each document built anew from it."""
        if name not in self._sources:
            self._sources[name] = template_bytes(name, self._template_dir)
        data, where = self._sources[name]
        template = self._template_class(io.BytesIO(data))
        try:
            if name not in self._readings:
                self._readings[name] = read_package(data)
            template.docx = open_document(self._readings[name])
        except Exception as exc:  # python-docx raises many kinds for a file that is not Word
            raise UsageError(f"模板 {where} 不是有效的 Word .docx 文件：{exc}") from exc
        return template, where


def _bounded_template_class(environment: Any) -> Any:
    """docxtpl's template, rendering in the bounded sandbox, with the cleaned-up and compiled
    XML of each part kept for the next document (keyed by the part's XML, so a part that
    differs is compiled anew)."""
    patched: dict[str, str] = {}
    compiled: dict[str, Any] = {}

    def compile_once(source: str) -> Any:
        if source not in compiled:
            compiled[source] = environment.from_string(source)
        return compiled[source]

    class Bounded(DocxTemplate):
        def patch_xml(self, src_xml: str) -> str:
            if src_xml not in patched:
                patched[src_xml] = super().patch_xml(src_xml)
            return patched[src_xml]

        def render_xml_part(
            self, src_xml: str, part: Any, context: dict[str, Any], jinja_env: Any = None
        ) -> str:
            src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            self.current_rendering_part = part
            self.source_lines = src_xml.splitlines()
            dst_xml = render_bounded(compile_once(src_xml), context)
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            dst_xml = (
                dst_xml.replace("{_{", "{{")
                .replace("}_}", "}}")
                .replace("{_%", "{%")
                .replace("%_}", "%}")
            )
            return self.resolve_listing(dst_xml)

        def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
            properties = self.docx.core_properties
            for name in ("author", "comments", "identifier", "language", "subject", "title"):
                text = compile_once(getattr(properties, name)).render(context)
                setattr(properties, name, text)

    return Bounded


def _failed_line(exc: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def _tag_at(template: Any, line: int | None, environment: Any) -> str:
    """The Jinja tag on the template's `line` (a paragraph of the document), as the office sees
    it in Word; the one that does not parse when there are several."""
    lines = getattr(template, "source_lines", [])
    if not line or line > len(lines):
        return "（位置不明）"
    text = _XML.sub("", lines[line - 1])
    tags = _TAG.findall(text)
    if not tags:
        return f"「{text.strip()[:60]}」"
    for tag in tags:
        if tag.startswith("{{"):
            try:
                environment.parse(tag)
            except Exception:
                return tag
    return tags[0] if len(tags) == 1 else "、".join(tags)


def document_text(data: bytes) -> str:
    """The plain text of a .docx, body in order: a line per paragraph, table cells joined by
    " | ", a picture as "[图]" (for golden files and for comparing numbers with `rank`)."""
    body = Document(io.BytesIO(data)).element.body
    lines: list[str] = []

    def paragraph_text(paragraph: Any) -> str:
        text = "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
        if next(paragraph.iter(qn("w:drawing")), None) is not None:
            text += "[图]"
        return text

    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(paragraph_text(child))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = [
                    "".join(paragraph_text(p) for p in cell.iter(qn("w:p")))
                    for cell in row.iter(qn("w:tc"))
                ]
                lines.append(" | ".join(cells))
    return "\n".join(lines).strip("\n") + "\n"
