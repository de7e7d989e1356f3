"""`mytool profile show`: the district profile in use."""

from __future__ import annotations

import typer

from mytool.commands.chinese import ChineseGroup, examples
from mytool.commands.common import DebugOption, ProfileOption, emit_text, runs, stderr_console

profile_app = typer.Typer(
    cls=ChineseGroup, help="查看测评口径（街镇、大类、小项、权重、等级）。", no_args_is_help=True
)


@profile_app.command(
    "show", epilog=examples("mytool profile show", "mytool profile show -p 口径.toml")
)
@runs(reads=())
def show(profile: ProfileOption = None, debug: DebugOption = False) -> None:
    """显示正在使用的测评口径文件（TOML 原文）。"""
    # Loaded when the command runs: --help imports every command's module.
    from mytool.profile import load_profile

    loaded = load_profile(profile)
    stderr_console().print(f"测评口径文件：{loaded.source}", markup=False)
    emit_text(loaded.text if loaded.text.endswith("\n") else loaded.text + "\n", None)


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")
