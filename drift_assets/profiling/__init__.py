"""Rows -> ``DatasetProfile``: sources, logical types, the profile record and the passes
that measure a batch. The only stage that reads rows."""
