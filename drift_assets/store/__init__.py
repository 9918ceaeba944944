"""Persistence of profiles, baselines, check results, alerts and actions, in one
DuckDB file (the embedded default) or one Postgres database (``postgresql://``).

Every statement here runs on both engines through ``backends.StoreConnection``,
so SQL added to this package follows these rules (the store tests run on both
backends and hold it to them):

1. Bind every value: ``?`` placeholders (or ``$name`` with a dict), never
   f-strings or ``%s``. Identifiers that are not literals are quoted ``"..."``.
2. A list parameter is tested with ``x = ANY(?)``, not ``list_contains`` or other
   ``list_*``/struct functions.
3. Column types: VARCHAR, INTEGER, BIGINT, BOOLEAN, ``DOUBLE PRECISION`` (not
   ``DOUBLE``), TIMESTAMPTZ (not TIMESTAMP), JSON, ``T[]``. No STRUCT, MAP,
   UNION, HUGEINT or unsigned types. Do not name a column after a keyword
   (``at``, ``order``, ``user``...).
4. Ids come from ``CREATE SEQUENCE s START 1`` + ``DEFAULT nextval('s')``; no
   SERIAL, IDENTITY or GENERATED columns (DuckDB has no IDENTITY).
5. Upserts are ``INSERT ... ON CONFLICT (cols) DO UPDATE SET c = excluded.c`` or
   ``ON CONFLICT DO NOTHING``, with ``RETURNING``; never ``INSERT OR REPLACE/IGNORE``.
6. Values: JSON is written as ``json.dumps`` text and read back as text (then
   ``json.loads``); datetimes are bound tz-aware and come back tz-aware; enums
   are bound as values. Compute times in Python and bind them rather than
   ``now() - INTERVAL ...`` arithmetic (``now()`` itself is fine).
7. Integer division differs (DuckDB ``/`` gives a fraction, Postgres truncates):
   ``CAST(x AS DOUBLE PRECISION) / y``.
8. Stay in the shared core: count/sum/min/max/avg, coalesce, CASE, CAST, ``::``,
   ``percentile_cont(q) WITHIN GROUP (ORDER BY x)``, window functions, CTEs. Not
   DuckDB's own syntax: QUALIFY, ``SELECT * EXCLUDE``, GROUP/ORDER BY ALL,
   ``FROM t SELECT``, ``arg_max``, ``quantile_cont``, ``json_extract``, ``epoch``,
   ``strftime``.
9. Where the engines must differ, say so in one place: ``conn.pick(duckdb=...,
   postgres=...)`` for a statement, ``Migration(..., postgres=(...))`` for a
   migration (the DuckDB text then stays exactly as shipped), and
   ``store.shared`` for behaviour (row locks such as ``FOR UPDATE SKIP LOCKED``
   are Postgres-only; on DuckDB the file lock serialises writers, and a DuckDB
   connection is never held across a network call).
10. Writes go through ``store.transaction()``: one short transaction each.
"""

from drift_assets.store.drift_store import (
    DriftStore,
    PinnedBaseline,
    StoredCheckResult,
    default_store_path,
)

__all__ = ["DriftStore", "PinnedBaseline", "StoredCheckResult", "default_store_path"]
