"""Hypothesis strategies for the property tests: pairs of pandas DataFrames over
every logical type, with the degenerate columns real tables have (all null,
constant, NaN and inf, unicode and empty strings, a category of up to 10,000
values) and duplicated or odd column names."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import strategies as st

KINDS = (
    "int",
    "float",
    "text",
    "bool",
    "date",
    "datetime_tz",
    "category",
    "all_null",
    "constant",
)

# Names a real table has: duplicates, blanks, spaces, quotes, unicode, SQL words.
NAMES = st.sampled_from(
    ["x", "x", "amount", "", " ", "a b", 'say "hi"', "é", "日本", "select", "1", "x.y", "NULL"]
)

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
_DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 1, 1))
_TIMES = st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1)).map(
    lambda t: t.replace(microsecond=0, tzinfo=dt.UTC)
)


@st.composite
def column(draw, kind: str, rows: int, *, letters_only: bool = False) -> pd.Series:
    """A column of ``rows`` values of one kind, some of them null."""
    nulls = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))

    def values(strategy):
        drawn = draw(st.lists(strategy, min_size=rows, max_size=rows))
        return [None if null else v for v, null in zip(drawn, nulls, strict=True)]

    text = st.text("abcdefgh", min_size=1, max_size=4).map("v_".__add__) if letters_only else _TEXT
    match kind:
        case "int":
            return pd.Series(values(st.integers(-(2**40), 2**40)), dtype="Int64")
        case "float":
            return pd.Series([np.nan if v is None else v for v in values(_FLOATS)], dtype=float)
        case "text":
            return pd.Series(values(text), dtype=object)
        case "bool":
            return pd.Series(values(st.booleans()), dtype="boolean")
        case "date":
            return pd.Series(values(_DATES), dtype=object)
        case "datetime_tz":
            return pd.Series(pd.to_datetime(values(_TIMES), utc=True))
        case "category":
            size = draw(st.sampled_from([1, 2, 7, 60, 10_000]))
            categories = [f"c{i}" for i in range(size)]
            codes = values(st.integers(0, size - 1))
            return pd.Series(
                pd.Categorical([None if c is None else categories[c] for c in codes], categories)
            )
        case "all_null":
            return pd.Series([None] * rows, dtype=object)
        case "constant":
            return pd.Series([draw(text)] * rows, dtype=object)
    raise AssertionError(kind)


@st.composite
def schemas(draw, *, kinds=KINDS, names=NAMES) -> list[tuple[str, str]]:
    return draw(st.lists(st.tuples(names, st.sampled_from(kinds)), min_size=1, max_size=5))


@st.composite
def frames(draw, schema=None, *, min_rows: int = 0, letters_only: bool = False) -> pd.DataFrame:
    """A DataFrame over ``schema`` (drawn when not given); rows up to 120, so a
    column can hold more values than a profile lists (top_k = 50)."""
    schema = schema if schema is not None else draw(schemas())
    rows = (
        draw(st.sampled_from([0, 1, 2, 5, 31, 120]))
        if not min_rows
        else draw(st.integers(min_rows, 40))
    )
    data = [draw(column(kind, rows, letters_only=letters_only)) for _, kind in schema]
    frame = pd.concat(data, axis=1) if data else pd.DataFrame(index=range(rows))
    frame.columns = [name for name, _ in schema]
    return frame


@st.composite
def frame_pairs(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A baseline and a current batch: the same schema with other rows, the same
    schema with one column retyped or dropped, or two unrelated frames."""
    schema = draw(schemas())
    baseline = draw(frames(schema))
    match draw(st.sampled_from(["same", "retyped", "dropped", "unrelated"])):
        case "same":
            current_schema = schema
        case "retyped":
            index = draw(st.integers(0, len(schema) - 1))
            current_schema = [*schema]
            current_schema[index] = (schema[index][0], draw(st.sampled_from(KINDS)))
        case "dropped":
            current_schema = schema[1:] or schema
        case _:
            current_schema = draw(schemas())
    return baseline, draw(frames(current_schema))
