"""The reader's child: its memory allowance is what it may add, whatever the parent maps."""

from __future__ import annotations

import mmap
import sys

import pytest

from mytool.errors import InputError
from mytool.reading.guard import Limits
from mytool.reading.isolation import run_isolated

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork and RLIMIT_AS are Linux")

ALLOWANCE = Limits(memory_bytes=256 * 1024**2)


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024**2)
    return len(block) // 1024**2


def test_a_child_may_use_its_allowance_even_when_the_parent_maps_more_than_it():
    reserved = mmap.mmap(-1, 4 * 1024**3)  # mapped, never touched: virtual size only
    try:
        assert run_isolated(_allocate, 64, name="x.xlsx", limits=ALLOWANCE) == 64
    finally:
        reserved.close()


def test_a_child_that_needs_more_than_its_allowance_is_stopped_with_a_message():
    with pytest.raises(InputError, match=r"x\.xlsx：读取所需内存超过 256 MB 的限制"):
        run_isolated(_allocate, 1024, name="x.xlsx", limits=ALLOWANCE)


def _arrays(count: int) -> tuple[object, ...]:
    import numpy as np
    import pyarrow as pa

    numbers = np.arange(count, dtype="float64")
    texts = pa.array([f"第{i}份" for i in range(count)])
    return "说明", numbers, pa.RecordBatch.from_arrays([texts], names=["答案"])


@pytest.mark.parametrize("count", [100, 500_000], ids=["small-through-the-pipe", "large-shared"])
def test_a_result_with_large_binary_parts_comes_back_whole_and_writable(count):
    import numpy as np

    text, numbers, batch = run_isolated(_arrays, count, name="x.xlsx", limits=Limits())
    expected = _arrays(count)
    assert text == "说明"
    assert np.array_equal(numbers, expected[1]) and batch.equals(expected[2])
    numbers[:1] = -1  # the parent may write to what it received, as to any array it made
    assert numbers[0] == -1
