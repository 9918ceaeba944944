"""Check policy: thresholds per check family, per-column overrides, baseline strategy.

These pydantic models are both the ``policy:`` block of ``datasets.yaml`` and the
``policy=`` argument of the Python API. Every model forbids unknown keys so a typo
fails loudly instead of silently using a default.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from drift_assets.settings.severity import Severity
from drift_assets.settings.strict import Strict, describe_validation_error, merge

# A schema rule: a failing Severity's name, or IGNORE.
SeverityName = Literal["WARN", "ERROR", "IGNORE"]


class Tiers(Strict):
    """A warn and an error threshold for one measure; ``null`` turns a tier off."""

    warn: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    error: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _warn_not_above_error(self) -> Tiers:
        if self.warn is not None and self.error is not None and self.warn > self.error:
            raise ValueError(f"warn ({self.warn}) must not be above error ({self.error})")
        return self

    def severity(self, value: float | None) -> Severity | None:
        """The tier ``value`` reaches (thresholds are inclusive)."""
        if value is None:
            return None
        if self.error is not None and value >= self.error:
            return Severity.ERROR
        if self.warn is not None and value >= self.warn:
            return Severity.WARN
        return None


class SchemaChangePolicy(Strict):
    added: SeverityName = "WARN"
    removed: SeverityName = "ERROR"
    type_changed: SeverityName = "ERROR"
    # Blocking: an ERROR stops downstream assets from materializing, so they never
    # consume a broken schema. WARN never blocks.
    blocking: bool = True


class NullRatePolicy(Strict):
    # Absolute null rate, as a fraction of rows (0.5 = half the rows are null).
    max_rate: Tiers = Tiers(warn=None, error=None)
    # Increase over the baseline's null rate, in percentage points.
    max_increase_pp: Tiers = Tiers(warn=5.0, error=20.0)
    # An increase counts only when null vs non-null rows differ significantly
    # between baseline and batch (2 x 2 chi-square): 3 nulls in 40 rows after
    # none is +7.5 pp, but not yet a trend.
    significance: float = Field(default=0.01, gt=0, lt=1)
    blocking: bool = False


class DistributionPolicy(Strict):
    """Effect-size tiers for distribution shift.

    A column drifts when an effect size reaches a tier *and* the shift is
    statistically significant (p-value below ``significance``): the effect size
    keeps huge samples from flagging trivial shifts, the p-value keeps tiny samples
    from crying wolf. An ERROR needs a p-value below a tenth of ``significance``,
    else it is a WARN. Numeric mean shift is measured in baseline standard
    deviations; std change is relative to the baseline's std.

    The defaults are held to promises in ``test_statistical_promises.py``: two
    random halves of the same data pass (at 1M rows every effect is a small
    fraction of its warn tier); a 0.2 SD mean shift warns (97% of trials at
    exactly 1,000 rows per side, the z-test's power at 0.01; all from 2,000); a
    0.5 SD shift errors; 0.01 SD never alerts, even at 10M rows; columns of a
    few dozen rows alert on about 1% of unshifted batches, the significance.
    """

    # false leaves the column(s) out of this family.
    enabled: bool = True
    # Dates and datetimes (and text holding ISO dates or timestamps) are event
    # time, which moves forward by design: by default their range is reported,
    # not tested. true compares them like numbers (for a birth date, say).
    test_datetimes: bool = False
    psi: Tiers = Tiers(warn=0.1, error=0.25)
    # Numeric PSI is taken over the baseline's histogram merged into this many
    # equi-depth groups: the scale PSI's usual tiers were set for, and small
    # enough that sampling noise stays below them from about 500 rows per side.
    psi_bins: int = Field(default=10, ge=2, le=1_000)
    ks_distance: Tiers = Tiers(warn=0.1, error=0.2)
    # Cohen's d: 0.2 is a "small" effect, 0.5 "medium". Error sits at 0.35 so a
    # 0.5 SD shift measured on 1,000 rows per side (standard error 0.045) errors.
    mean_shift_sd: Tiers = Tiers(warn=0.1, error=0.35)
    std_change: Tiers = Tiers(warn=0.25, error=0.5)
    # Categorical columns.
    js_distance: Tiers = Tiers(warn=0.1, error=0.2)
    new_category_share: Tiers = Tiers(warn=0.01, error=0.05)
    significance: float = Field(default=0.01, gt=0, lt=1)
    min_rows: int = Field(default=30, ge=1)
    blocking: bool = False

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id_like_distinct_ratio" in data:
            raise ValueError(
                "id_like_distinct_ratio moved: set it as policy.id_like_distinct_ratio,"
                " beside top_k (it decides what is profiled, for every check)"
            )
        return data


class RowCountPolicy(Strict):
    """The batch's row count against the usual count of recent healthy batches.

    The usual count is the median of the last ``window`` healthy batches (same
    weekday only, under ``seasonality: weekday``) and its spread their MAD, scaled
    to a standard deviation and never below the Poisson spread sqrt(median) that
    counts of independent rows always have (so identical counts, MAD 0, do not
    turn one row less into an infinite deviation). A count fails when its
    relative ``change`` from the median reaches a tier *and* it lies ``deviation``
    robust SDs off it; the severity is the lower of the two, as an effect size
    and its evidence decide a distribution shift. Below ``min_history`` healthy
    batches the count is not judged (the first batches: still learning), except
    against the absolute floor ``min_rows``, which is an ERROR at any time.
    """

    enabled: bool = True
    # drop: only fewer rows than usual fail; rise: only more; both: either.
    direction: Literal["drop", "rise", "both"] = "both"
    # |rows - median| / median: 0.5 is half the usual rows (or half again as many).
    # Real daily volumes drop by up to 40% on an ordinary Saturday
    # (calibration/volume_results.md): tighter tiers need seasonality: weekday.
    change: Tiers = Tiers(warn=0.5, error=0.8)
    # (rows - median) / robust SD: how unusual the change is for this dataset.
    deviation: Tiers = Tiers(warn=4.0, error=6.0)
    window: int = Field(default=28, ge=1, le=1_000)
    min_history: int = Field(default=7, ge=1, le=1_000)
    # weekday: compare with the same weekday (UTC) only, for daily batches whose
    # volume follows the week (no orders on Sundays).
    seasonality: Literal["none", "weekday"] = "none"
    # Fewer rows than this is an ERROR whatever the history; 0 turns it off.
    min_rows: int = Field(default=1, ge=0)
    blocking: bool = False

    @property
    def history_needed(self) -> int:
        """How many healthy batches to read so that ``window`` of them are
        comparable: a week of daily batches per same-weekday batch."""
        return self.window * (7 if self.seasonality == "weekday" else 1)

    @model_validator(mode="after")
    def _history_fits_window(self) -> RowCountPolicy:
        if self.min_history > self.window:
            raise ValueError(
                f"min_history ({self.min_history}) must not be above window ({self.window}):"
                " the comparison never has more batches than the window"
            )
        return self


class ColumnPolicy(Strict):
    """Per-column overrides; only the keys given replace the dataset's policy."""

    null_rate: dict[str, Any] | None = None
    distribution_shift: dict[str, Any] | None = None
    ignore: bool = False


_ROLLING = re.compile(r"^rolling:(\d+)$")
_SEASONAL = re.compile(r"^seasonal:(\d+)$")


class DriftPolicy(Strict):
    """Everything that decides how a dataset's batches are checked."""

    # previous: the last profile that passed or was accepted; rolling:N: the
    # last N of those pooled; pinned: a chosen profile, kept until changed;
    # latest: the last profile, failed or not (each change fails once);
    # seasonal:N (hourly or daily partitions): the same weekday, or hour of the
    # day, of the last N weeks' partitions that passed or were accepted, pooled.
    baseline: str = "previous"
    # Profiling: categories kept per column, and the share of distinct non-null
    # values from which a string or integer column is an ID, not a distribution.
    top_k: int = Field(default=50, ge=1, le=10_000)
    id_like_distinct_ratio: float = Field(default=0.95, gt=0, le=1)
    ignore_columns: tuple[str, ...] = ()
    schema_change: SchemaChangePolicy = SchemaChangePolicy()
    null_rate: NullRatePolicy = NullRatePolicy()
    distribution_shift: DistributionPolicy = DistributionPolicy()
    row_count: RowCountPolicy = RowCountPolicy()
    columns: dict[str, ColumnPolicy] = Field(default_factory=dict)

    @field_validator("baseline")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        match = _ROLLING.match(value) or _SEASONAL.match(value)
        if value in ("previous", "pinned", "latest") or (match and int(match.group(1)) >= 1):
            return value
        raise ValueError(
            "expected 'previous', 'pinned', 'rolling:N' (N >= 1), 'seasonal:N' (N >= 1,"
            f" partitioned data) or 'latest', got {value!r}"
        )

    @model_validator(mode="after")
    def _overrides_are_valid(self) -> DriftPolicy:
        # Validate overrides now, so a bad key fails at load time and names its column.
        for name in self.columns:
            for family, resolve in (
                ("null_rate", self.null_rate_for),
                ("distribution_shift", self.distribution_for),
            ):
                try:
                    resolve(name)
                except ValidationError as exc:
                    raise ValueError(
                        describe_validation_error(exc, prefix=f"columns.{name}.{family}.")
                    ) from None
        return self

    def profiler_options(self) -> dict[str, Any]:
        """The profiler's keyword arguments this policy decides (``profile_*``)."""
        return {"top_k": self.top_k, "id_like_ratio": self.id_like_distinct_ratio}

    @property
    def rolling_window(self) -> int | None:
        match = _ROLLING.match(self.baseline)
        return int(match.group(1)) if match else None

    @property
    def seasonal_weeks(self) -> int | None:
        match = _SEASONAL.match(self.baseline)
        return int(match.group(1)) if match else None

    def is_ignored(self, column: str) -> bool:
        override = self.columns.get(column)
        return column in self.ignore_columns or bool(override and override.ignore)

    def null_rate_for(self, column: str) -> NullRatePolicy:
        override = self.columns.get(column)
        if override is None or not override.null_rate:
            return self.null_rate
        return NullRatePolicy.model_validate(merge(self.null_rate.model_dump(), override.null_rate))

    def distribution_for(self, column: str) -> DistributionPolicy:
        override = self.columns.get(column)
        if override is None or not override.distribution_shift:
            return self.distribution_shift
        return DistributionPolicy.model_validate(
            merge(self.distribution_shift.model_dump(), override.distribution_shift)
        )
