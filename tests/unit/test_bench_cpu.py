"""The drain's CPU figure: per side, only the CPU spent between the two samples, per 1000 events."""
import os

from tests.bench.cpu import cpu_seconds, per_1000_events


def test_cpu_between_the_samples_per_1000_events_each_side_and_their_sum():
    start = {"consumer": {10: 2.0}, "postgres": {20: 1.0}}
    end = {"consumer": {10: 4.5}, "postgres": {20: 1.5, 21: 0.25}}  # 21 connected in between
    assert per_1000_events(start, end, 5000) == {"consumer": 500.0, "postgres": 150.0,
                                                 "total": 650.0}


def test_a_side_proc_cannot_read_has_no_figure_and_no_total():
    start, end = {"consumer": {10: 1.0}, "postgres": None}, {"consumer": {10: 2.0}, "postgres": None}
    assert per_1000_events(start, end, 1000) == {"consumer": 1000.0, "postgres": None,
                                                 "total": None}
    assert per_1000_events(start, end, 0) is None


def test_this_process_has_spent_some_cpu_and_a_missing_one_is_unknown():
    assert cpu_seconds([os.getpid()])[os.getpid()] > 0
    assert cpu_seconds([2 ** 22 + 7]) is None  # above the kernel's largest pid
