"""One effect size of a column: its value, tiers, the test that gates it, and its wording."""

from __future__ import annotations

from dataclasses import dataclass

from drift_assets.checks.outcome import Severity
from drift_assets.checks.verdict import measure_text, tier_severity, tier_threshold
from drift_assets.settings.policy import Tiers

# New categories named in a one-line headline; the share counts all of them.
_NAMED_IN_HEADLINE = 3
# An ERROR needs ten times stronger evidence than a WARN (p below a tenth of the
# significance). In a small batch any significant shift already reaches the error
# tier, so without this a few dozen unshifted rows errored as often as they warned
# (about 1.5% of small real columns on random halves).
ERROR_EVIDENCE = 0.1

Metrics = dict[str, float | int | str | None]


@dataclass(frozen=True)
class Effect:
    """One effect size of a column, its tiers, and the p-value that gates it."""

    test: str
    value: float
    tiers: Tiers
    pvalue: float | None
    # Which test the p-value comes from, as people know it ("KS", "chi-square").
    gate: str
    significance: float
    # For new categories: what "outside" means here, the ones seen by name, and
    # whether the value is a share beyond what the baseline predicts (rather
    # than the plain share of rows in categories the baseline never had).
    outside: str = ""
    names: tuple[str, ...] = ()
    beyond_expected: bool = False
    # Set when the effect is said in words of its own (a recode, say).
    wording: str = ""
    # Among effects at the same tier, the more specific explanation decides:
    # "female vanished" says more than the PSI that the vanishing produced.
    priority: int = 0

    @property
    def reached(self) -> Severity | None:
        """The tier the effect size reaches, significant or not."""
        return tier_severity(self.tiers, abs(self.value))

    @property
    def significant(self) -> bool:
        return self.pvalue is not None and self.pvalue < self.significance

    @property
    def severity(self) -> Severity | None:
        if not self.significant:
            return None
        reached = self.reached
        if reached is Severity.ERROR and self.pvalue >= self.significance * ERROR_EVIDENCE:
            return Severity.WARN
        return reached

    @property
    def closeness(self) -> float:
        """How far the effect is toward its threshold (1 = at the threshold)."""
        threshold = tier_threshold(self.tiers, self.severity)
        return abs(self.value) / threshold if threshold else 0.0

    @property
    def phrase(self) -> str:
        """The measured value, for example "mean +0.52 SD"."""
        value = self.value
        if self.wording:
            return self.wording
        match self.test:
            case "psi":
                return f"PSI {measure_text(value)}"
            case "ks":
                return f"KS distance {measure_text(value)}"
            case "mean_shift_sd":
                return f"mean {value:+.2f} SD"
            case "std_change":
                return f"std {value:+.0%}"
            case "js":
                return f"JS distance {measure_text(value)}"
        shown = list(self.names[:_NAMED_IN_HEADLINE])
        more = len(self.names) - len(shown)
        names = f" {shown}" + (f" and {more} more" if more > 0 else "") if shown else ""
        if self.beyond_expected:
            return f"{value:.1%} more rows {self.outside}{names} than expected"
        return f"{value:.1%} rows {self.outside}{names}"

    @property
    def headline(self) -> str:
        """The value and the threshold of its severity (the one it reached, when it
        is not significant), or the warn threshold."""
        reached = self.severity or self.reached
        threshold = tier_threshold(self.tiers, reached)
        if threshold is None:
            return self.phrase
        tier = "error" if reached == Severity.ERROR else "warn"
        if self.test in ("std_change", "new_category_share", "vanished_share"):
            return f"{self.phrase} ({tier} at {threshold:.0%})"
        return f"{self.phrase} ({tier} at {threshold:g})"
