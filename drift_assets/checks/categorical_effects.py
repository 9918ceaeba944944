"""The effect sizes of a categorical column: the registered count tests (PSI,
JS distance) over the baseline's listed values, the share of rows in new
categories (or in the tail), and the share of baseline rows in values that
vanished."""

from __future__ import annotations

from dataclasses import dataclass

from drift_assets.checks.effect import Effect, Metrics
from drift_assets.profiling.dataset_profile import CategoricalSummary, ColumnProfile
from drift_assets.settings.policy import DistributionPolicy
from drift_assets.stattests import effect_sizes, gate
from drift_assets.stattests.new_categories import (
    expected_tail_share,
    outsider_growth,
    tail_share_test,
    unseen_share_test,
    vanished_test,
)
from drift_assets.stattests.registry import StatResult

# Values named in a recode's wording before "and N more".
_NAMED = 5


@dataclass(frozen=True)
class CategoricalEffects:
    effects: list[Effect]
    metrics: Metrics
    # Current share of each value the baseline did not list (by name).
    new_categories: dict[str, float]
    # What "outside" means for this column, for the summary.
    outside: str


def categorical_effects(
    column: ColumnProfile,
    base: ColumnProfile,
    baseline_counts: tuple[int, ...],
    current_counts: tuple[int, ...],
    policy: DistributionPolicy,
) -> CategoricalEffects:
    now, then = column.categorical, base.categorical
    assert now is not None and then is not None
    n_current, n_baseline = sum(current_counts), sum(baseline_counts)
    alpha = policy.significance
    # Homogeneity is tested over the baseline's listed values only: they were
    # picked from the baseline, so the rest ("everything else") is always larger
    # in a fresh sample, and a test including it alarmed on 4 to 40% of unshifted
    # high-cardinality columns. With no rows among them on one side there are no
    # proportions to compare (the test says "not comparable", p n/a): what
    # happened to them is told by the tests below.
    listed_b, listed_c = baseline_counts[:-1], current_counts[:-1]
    gating = gate("categorical")
    homogeneity = gating(listed_b, listed_c)
    listed = [n for _, n in then.top]
    known = {value for value, _ in then.top}
    outsiders = {v: n for v, n in now.top if v not in known}
    # The tail: rows in values the baseline never had when its list is complete,
    # else each side's rows outside its own top K (see tail_share_test).
    k = len(listed)
    if then.complete:
        tail_now = current_counts[-1]
        new_rest = tail_now - sum(outsiders.values())
        total = unseen_share_test(listed_b, listed_c, list(outsiders.values()), new_rest, n_current)
        expected_share = tail_now / n_current - total.statistic
    else:
        k = k if now.complete else min(k, len(now.top))
        tail_now = n_current - sum(n for _, n in now.top[:k])
        top_b = listed[:k]
        total = tail_share_test(top_b, n_baseline - sum(top_b), tail_now, n_current)
        expected_share = expected_tail_share(top_b, n_baseline - sum(top_b), n_current)
    single = outsider_growth(
        listed, then.other_count, then.complete, list(outsiders.values()), n_current, alpha
    )
    new = max(total, single, key=lambda r: r.statistic)
    # Name the values that grew when they decided, else every outsider seen.
    names = list(outsiders)
    if new is single:
        names = [names[i] for i in single.grown]
    outside = "in new categories" if then.complete else f"outside the baseline's top {len(listed)}"
    sizes = [(test, test(baseline_counts, current_counts)) for test in effect_sizes("categorical")]
    gone = vanished_test(
        listed_b,
        listed_c,
        n_baseline,
        n_current,
        base.distinct_count,
        outsiders=list(outsiders.values()),
        unlisted_baseline=_most_unlisted(then),
        unlisted_current=_most_unlisted(now),
        unlisted_repeats=_repeats(then, base.distinct_count) + _repeats(now, column.distinct_count),
    )
    effects = [
        Effect(
            test.name,
            result.statistic,
            getattr(policy, str(test.tiers)),
            homogeneity.pvalue,
            gating.title,
            alpha,
        )
        for test, result in sizes
    ]
    effects.append(
        Effect(
            "new_category_share",
            new.statistic,
            policy.new_category_share,
            new.pvalue,
            "outside-share test",
            alpha,
            outside=outside if new is single or then.complete else f"outside the top {k}",
            names=tuple(names),
            beyond_expected=new.statistic != current_counts[-1] / n_current,
        )
    )
    if gone.statistic:
        effects.insert(
            0, _vanished_effect(then.top, listed_c, outsiders, then.complete, gone, policy)
        )
    metrics: Metrics = {str(test.tiers): result.statistic for test, result in sizes}
    metrics |= {
        f"{gating.name}_pvalue": homogeneity.pvalue,
        "new_category_share": current_counts[-1] / n_current,
        "tail_share": tail_now / n_current,
        "tail_expected_share": expected_share,
        "new_category_excess": new.statistic,
        "new_category_pvalue": new.pvalue,
        "vanished_share": gone.statistic,
        "vanished_pvalue": gone.pvalue,
    }
    return CategoricalEffects(
        effects=effects,
        metrics=metrics,
        new_categories={v: n / n_current for v, n in outsiders.items()},
        outside=outside,
    )


def _vanished_effect(
    top: tuple[tuple[str, int], ...],
    current: tuple[int, ...],
    outsiders: dict[str, int],
    complete: bool,
    gone: StatResult,
    policy: DistributionPolicy,
) -> Effect:
    """Baseline values the batch no longer has, said as what it is: a recode
    when they all went and others came ("both baseline values vanished; new: M, F")."""
    vanished = [value for (value, b), c in zip(top, current, strict=True) if b and not c]
    held = f"{len(top)} baseline values" if complete else f"the baseline's top {len(top)} values"
    if len(vanished) == len(top) and complete:
        who = {1: "the baseline value", 2: "both baseline values"}.get(len(top), f"all {held}")
        wording = f"{who} vanished"
    else:
        wording = (
            f"{len(vanished)} of {held} vanished: {_names(vanished)}"
            f" ({gone.statistic:.1%} of baseline rows)"
        )
    if outsiders:
        ranked = sorted(outsiders, key=lambda v: -outsiders[v])
        wording += f"; {'new' if complete else 'now frequent'}: {_names(ranked)}"
    return Effect(
        "vanished_share",
        gone.statistic,
        policy.new_category_share,
        gone.pvalue,
        "vanishing test",
        policy.significance,
        wording=wording,
        priority=1,
    )


def _most_unlisted(summary: CategoricalSummary) -> int:
    """The most rows a value outside ``summary``'s list can have: none when the
    list is complete, else no more than the K-th listed count or the rows outside."""
    if summary.complete:
        return 0
    return min(min((n for _, n in summary.top), default=0), summary.other_count)


def _repeats(summary: CategoricalSummary, distinct: int) -> int:
    """Rows outside ``summary``'s list beyond each unlisted value's first: what
    the unlisted values could pool into repeated values (see vanished_test)."""
    if summary.complete:
        return 0
    return max(summary.other_count - max(distinct - len(summary.top), 0), 0)


def _names(values: list[str]) -> str:
    shown = ", ".join(values[:_NAMED])
    more = len(values) - _NAMED
    return f"{shown} and {more} more" if more > 0 else shown
