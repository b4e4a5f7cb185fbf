"""The scale benchmark's model of its own numbers: a fixed cost and a cost per MB for each
case, and the corpus size from which the pipeline reaches its target ratio."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_scale  # noqa: E402


def test_a_straight_line_is_found_exactly():
    fixed, per_mb, worst = bench_scale.line_fit([1, 10, 30, 100], [2.5, 7.0, 17.0, 52.0])
    assert fixed == pytest.approx(2.0)
    assert per_mb == pytest.approx(0.5)
    assert worst == pytest.approx(0.0, abs=1e-12)


def test_points_off_the_line_weigh_by_their_relative_residual():
    # On y = x at 1 and 10 MB, 10% above it at 100 MB: numpy's fit with residuals weighed by
    # 1/y gives the same line, and the 100 MB point pulls it less than an unweighed fit.
    xs, ys = [1.0, 10.0, 100.0], [1.0, 10.0, 110.0]
    fixed, per_mb, worst = bench_scale.line_fit(xs, ys)
    slope, intercept = np.polyfit(xs, ys, 1, w=[1 / y for y in ys])
    assert (fixed, per_mb) == (pytest.approx(intercept), pytest.approx(slope))
    assert per_mb < np.polyfit(xs, ys, 1)[0]
    assert worst == pytest.approx(max(abs(fixed + per_mb * x - y) / y for x, y in zip(xs, ys)))


def test_the_crossing_is_where_the_ratio_of_the_lines_reaches_the_target():
    # lcut 1 s + 2 s/MB, cold 2 s + 0.2 s/MB: at 9 MB, 19 s against 3.8 s, 5x.
    assert bench_scale.crossing((1.0, 2.0), (2.0, 0.2), 5.0) == pytest.approx(9.0)


def test_no_crossing_when_the_cost_per_mb_alone_falls_short_and_zero_when_always_above():
    assert bench_scale.crossing((1.0, 2.0), (2.0, 0.5), 5.0) is None  # 4x per MB at most
    assert bench_scale.crossing((20.0, 2.0), (1.0, 0.2), 5.0) == 0.0  # 20x at 0 MB already


def test_the_report_names_both_lines_and_the_crossing():
    sizes = [{"size_mb": mb, "lcut": [1.0 + 2.0 * mb], "cold": [2.0 + 0.2 * mb]} for mb in (1, 10, 30, 100)]
    text = "\n".join(bench_scale.cost_lines(sizes))
    assert "| jieba.lcut | 1.00 | 2.000 | 0.50 | 0% |" in text
    assert "| pipeline, cold | 2.00 | 0.200 | 5.00 | 0% |" in text
    assert "Per MB the cold pipeline is 10.00x jieba.lcut" in text
    assert "reaches 5x from about 9 MB" in text
    assert bench_scale.cost_lines(sizes[:1]) == []
    assert bench_scale.cost_lines([sizes[1], sizes[1]]) == []  # one size twice: no line


def test_sizes_too_close_for_a_cost_per_mb_say_so():
    sizes = [{"size_mb": 10.0, "lcut": [14.0], "cold": [4.0]}, {"size_mb": 11.0, "lcut": [15.0], "cold": [3.9]}]
    text = "\n".join(bench_scale.cost_lines(sizes))
    assert "No line through the sizes" in text
    assert "Per MB" not in text


def test_the_warm_target_is_judged_on_the_first_load_after_a_build_and_on_later_loads_apart():
    sizes = [{"size_mb": 10.0, "lcut": [25.0], "cold": [5.0], "ratio": [5.0], "warm": [1.5], "warm_calls": [0.25],
              "later_calls": [0.16], "cold_peak": [400.0], "warm_peak": [200.0]}]
    found = bench_scale.verdicts(sizes, [])
    assert "cold ≥ 5x lcut at 10 MB: met (5.00x)" in found
    assert "warm ≥ 50 MB/s at 10 MB, the first load after a build: missed (40.0)" in found
    assert "warm ≥ 50 MB/s at 10 MB, later loads: met (62.5)" in found
    row = bench_scale.report(sizes, [], "0.0")
    assert "| 10.0 MB | 25.0 | 5.0 | 5.00x | 2.00 | 1.50 | 0.25 | 40.0 | 0.16 | 62.5 | 400 | 200 |" in row
