"""Jinja2 set-up for the Markdown briefs: bundled templates, an office's own, and clear errors.

Templates render in Jinja2's sandbox with StrictUndefined, so a user template can neither reach
into Python objects' internals nor silently print an empty string for a misspelt variable.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError

from mytool.errors import UsageError
from mytool.files import shown
from mytool.render.labels import score_text
from mytool.render.markdown import md_text
from mytool.render.template_filters import chinese_date, ranked, signed
from mytool.render.template_guard import (
    BoundedEnvironment,
    FolderLoader,
    TemplateLimitError,
    check_template_dir,
    render_bounded,
)
from mytool.render.wording import period_text, rank_of
from mytool.resources import templates_dir


def make_environment(template_dir: Path | None = None) -> Any:
    """A bounded sandbox that looks in `template_dir` first, then the bundled templates."""
    folders = [check_template_dir(template_dir)] if template_dir else []
    environment = BoundedEnvironment(
        loader=FolderLoader([*folders, templates_dir()]),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    environment.filters.update(
        md=md_text,
        score=score_text,
        signed=signed,
        date=chinese_date,
        rank=ranked,
        period=period_text,
        rank_of=rank_of,
    )
    environment.bound_filters()
    return environment


def render(environment: Any, name: str, **variables: Any) -> str:
    """Render template `name`; a broken or runaway template is a `UsageError` naming it (and the
    line where it can).

    The output is built chunk by chunk and refused past `MAX_OUTPUT_BYTES`, within a time limit.
    """
    try:
        return render_bounded(environment.get_template(name), variables)
    except TemplateSyntaxError as exc:
        where = shown(exc.filename or exc.name or name)
        raise UsageError(f"模板 {where} 第 {exc.lineno} 行有语法错误：{exc.message}") from exc
    except TemplateLimitError as exc:
        where, line = _template_frame(exc, name)
        at = f" 第 {line} 行" if line != "?" else ""
        raise UsageError(f"模板 {where}{at}：{exc}") from exc
    except (TemplateError, TypeError, ValueError, AttributeError, LookupError) as exc:
        where, line = _template_frame(exc, name)
        raise UsageError(f"模板 {where} 第 {line} 行出错：{exc}") from exc


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | str]:
    """The template file and line where rendering failed, from Jinja's rewritten traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return shown(frames[-1].filename), frames[-1].lineno or "?"
    template = getattr(exc, "template", None)
    return shown(template or name), "?"
