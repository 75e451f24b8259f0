"""The composite appraisal score (绩效考评) of domain.md §6, explainable component by component.

score = clamp(Σ wᵢ′ × componentᵢ − overdue_deduction × overdue_tickets, 0, 100), where
* components (0–100): satisfaction = 满意度得分; rectification = 差评整改率 × 100;
  response = 响应率 × 100; resolution = 解决率 × 100;
* wᵢ are the configured weights (default 35/30/15/20 %); a component without data (denominator 0)
  is left out and the remaining weights are scaled to sum to 1 (wᵢ′, returned as
  `weights_applied`), so a department is neither rewarded nor punished for having no such cases;
* each overdue ticket deducts `overdue_deduction` points (default 2: the deduction is doubled).
No data at all ⇒ score null. Grades (分档) and the 公示 colour come from configurable thresholds.
Arithmetic is Decimal and every figure is rounded half-up, so the same inputs always give the same
bytes.

Where the rules are silent, the choices kept here: an empty component (no 差评 due, no callback,
no ticket to sign, no rating) is dropped and the other weights rescaled — a department with no such
cases is neither rewarded nor punished; the overdue deduction applies to the rescaled score and
the score is clamped to 0–100; the components are the published figures' own rates (so a
department can recompute its score from /indicators). The appraisal API's `status` is `final`,
`under_correction` (an accepted appeal, until the correcting version is approved) or `provisional`
(nothing published, the appeal window open or provisional, appeals pending, or an open period).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from config.settings import Settings

COMPONENTS = {
    "satisfaction": "satisfaction_score",
    "rectification": "rectification_rate",
    "response": "response_rate",
    "resolution": "resolution_rate",
}
_Q2 = Decimal("0.01")
_Q4 = Decimal("0.0001")
HUNDRED = Decimal(100)


def _q(value: Decimal, quantum: Decimal = _Q2) -> float:
    return float(value.quantize(quantum, rounding=ROUND_HALF_UP))


def _component(indicators: dict[str, Any], key: str) -> dict[str, Any]:
    if key == "satisfaction_score":
        value = indicators["satisfaction_score"]
        return {"value": value, "indicator": key, "numerator": indicators["satisfaction_points"],
                "denominator": indicators["reviews_valid"]}
    figure = indicators[key]
    value = None if figure["value"] is None else \
        _q(Decimal(str(figure["numerator"])) * HUNDRED / figure["denominator"])
    return {"value": value, "indicator": key, "numerator": figure["numerator"],
            "denominator": figure["denominator"]}


def grade_for(score: float | None, settings: Settings) -> str | None:
    if score is None:
        return None
    for grade, lowest in sorted(settings.appraisal_grades.items(), key=lambda kv: -kv[1]):
        if score >= lowest:
            return grade
    return "fail"


def colour_for(score: float | None, settings: Settings) -> str | None:
    if score is None:
        return None
    thresholds = settings.indicator_color_thresholds
    if score >= thresholds["green"]:
        return "green"
    return "yellow" if score >= thresholds["yellow"] else "red"


def score_department(indicators: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The composite score with every component, the weights used and the overdue deduction."""
    weights = {name: Decimal(str(settings.indicator_weights.get(name, 0))) for name in COMPONENTS}
    components = {name: _component(indicators, key) for name, key in COMPONENTS.items()}
    present = [n for n in COMPONENTS if components[n]["value"] is not None and weights[n] > 0]
    total_weight = sum((weights[n] for n in present), Decimal(0))
    applied = {n: (_q(weights[n] / total_weight, _Q4) if n in present and total_weight else 0.0)
               for n in COMPONENTS}
    overdue = indicators["overdue_tickets"]
    per_ticket = Decimal(str(settings.overdue_deduction))
    deduction = per_ticket * overdue
    base = None
    score = None
    if total_weight:
        base = sum((weights[n] * Decimal(str(components[n]["value"])) for n in present),
                   Decimal(0)) / total_weight
        score = _q(min(HUNDRED, max(Decimal(0), base - deduction)))
    return {
        "score": score,
        "base_score": None if base is None else _q(base),
        "components": components,
        "weights": {n: float(weights[n]) for n in COMPONENTS},
        "weights_applied": applied,
        "overdue_tickets": overdue,
        "overdue_deduction_per_ticket": float(per_ticket),
        "overdue_deduction": float(deduction),
        "grade": grade_for(score, settings),
        "color": colour_for(score, settings),
    }
