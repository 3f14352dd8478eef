"""Tests of aftermarkets.display's formatting helpers (the ones not covered by their doctests)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftermarkets.display import count_text


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0"),
        (1.2, "2"),
        (99_999, "99,999"),
        (99_999.5, r"$1.0 \times 10^{5}$"),
        (123_456_789.3, r"$1.2 \times 10^{8}$"),
        (9.96e9, r"$1.0 \times 10^{10}$"),
    ],
)
def test_count_text_examples(n, text):
    assert count_text(n) == text


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_count_text_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="non-negative"):
        count_text(bad)


@given(st.floats(min_value=1e5, max_value=1e15))
def test_count_text_large_is_close(n):
    """The power-of-ten form has a mantissa in [1, 10) within half a unit of its last digit."""
    text = count_text(n)
    mantissa, exp = text.strip("$").split(r" \times 10^")
    value = float(mantissa) * 10 ** int(exp.strip("{}"))
    assert 1 <= float(mantissa) < 10
    assert abs(value - math.ceil(n)) <= 0.05 * 10 ** int(exp.strip("{}")) * (1 + 1e-9)


@given(st.integers(min_value=0, max_value=99_999))
def test_count_text_small_is_exact(n):
    assert int(count_text(n).replace(",", "")) == n


def test_table_cells_with_pipes_stay_tables():
    """An absolute value in a header or cell (``|x - y|``, in text or in math) stays inside its
    cell: the Markdown parses as a table with one cell per column and the bars shown."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    from aftermarkets.display import table

    t = table({"profiles": [2000], "largest |a - b|": [0.5], "$|x|$": ["$|y|$"]})
    html = MarkdownIt().enable("table").use(dollarmath_plugin).render(t._repr_markdown_())
    assert html.count("</th>") == 3 and html.count("</td>") == 3
    assert "largest |a - b|</th>" in html and ">|x|</span>" in html and ">|y|</span>" in html
    assert repr(t).splitlines()[0] == "profiles  largest |a - b|  $|x|$"  # the plain text as it is
