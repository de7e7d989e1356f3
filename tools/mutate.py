"""A small mutation-testing pass over the ranking and the score arithmetic (issue 14, item 6).

    python tools/mutate.py [--list] [--only ranking|numbers] [--timeout 300]

Each mutation changes one token of one file — `<`↔`<=`, `>`↔`>=`, `+`↔`-` (and `+=`↔`-=`),
`ROUND_HALF_UP`→`ROUND_HALF_EVEN`, an integer constant n→n+1 — runs the tests that should notice
(`pytest -x -q`), and puts the file back byte for byte before the next one, also when
interrupted. A mutation is *killed* when the tests fail, *survived* when they pass. Survivors are
printed with their place, so a test can be written for each one that matters.
Strings, comments and docstrings are never touched (the file is read with `tokenize`).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "ranking": ROOT / "mytool" / "analysis" / "ranking.py",
    "numbers": ROOT / "mytool" / "numbers.py",
}
TESTS = [
    "tests/test_ranking.py",
    "tests/test_numbers.py",
    "tests/test_golden.py",
    "tests/test_cli.py::test_rank_on_the_2023h2_sample_flags_the_six_units_of_the_notice",
    "tests/test_cli.py::test_json_output_equals_the_ranking_computed_from_the_raw_cells",
    "tests/test_cli.py::test_profile_can_switch_to_dense_ranking",
]
OPERATORS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "+": "-", "-": "+", "+=": "-=", "-=": "+="}
NAMES = {"ROUND_HALF_UP": "ROUND_HALF_EVEN"}


@dataclass(frozen=True)
class Mutation:
    path: Path
    line: int  # 1-based
    col: int  # 0-based, in characters
    old: str
    new: str

    @property
    def place(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}:{self.col + 1}"

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        text = lines[self.line - 1]
        assert text[self.col : self.col + len(self.old)] == self.old, self
        lines[self.line - 1] = text[: self.col] + self.new + text[self.col + len(self.old) :]
        return "".join(lines)


def mutations(path: Path) -> list[Mutation]:
    """Every single-token mutation of `path`, in file order."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        (line, col), text = token.start, token.string
        if token.line.lstrip().startswith(("from ", "import ")):
            continue  # renaming an import only breaks the import
        if token.type == tokenize.OP and text in OPERATORS:
            found.append(Mutation(path, line, col, text, OPERATORS[text]))
        elif token.type == tokenize.NAME and text in NAMES:
            found.append(Mutation(path, line, col, text, NAMES[text]))
        elif token.type == tokenize.NUMBER and text.isdigit():
            found.append(Mutation(path, line, col, text, str(int(text) + 1)))
    return found


def killed(timeout: float) -> bool:
    """Whether the tests fail (a timeout counts as killed: the mutant hangs)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # never run a stale .pyc
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS]
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TARGETS))
    parser.add_argument("--list", action="store_true", help="list the mutations, run nothing")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    paths = [TARGETS[args.only]] if args.only else list(TARGETS.values())
    todo = [m for path in paths for m in mutations(path)]
    if args.list:
        for m in todo:
            print(f"{m.place}  {m.old} -> {m.new}")
        return 0
    survivors = []
    started = time.monotonic()
    for number, mutation in enumerate(todo, 1):
        original = mutation.path.read_bytes()
        try:
            mutation.path.write_text(mutation.apply(original.decode("utf-8")), encoding="utf-8")
            dead = killed(args.timeout)
        finally:
            mutation.path.write_bytes(original)
        print(
            f"[{number}/{len(todo)}] {'killed  ' if dead else 'SURVIVED'} "
            f"{mutation.place}  {mutation.old} -> {mutation.new}",
            flush=True,
        )
        if not dead:
            survivors.append(mutation)
    score = (len(todo) - len(survivors)) / len(todo) if todo else 1.0
    print(
        f"\n{len(todo) - len(survivors)} killed, {len(survivors)} survived of {len(todo)} "
        f"(score {score:.0%}, {time.monotonic() - started:.0f} s)"
    )
    for mutation in survivors:
        line = mutation.path.read_text(encoding="utf-8").splitlines()[mutation.line - 1].strip()
        print(f"  survived {mutation.place}  {mutation.old} -> {mutation.new}   | {line}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
