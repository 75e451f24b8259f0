"""The composite score of domain.md §6, hand-computed from the November scenario."""

from dataclasses import replace

import pytest

from service.domain.indicators.appraisal import score_department
from tests.domain.test_indicators import Factory, figures, november


@pytest.fixture
def make(session, depts):
    return Factory(session, depts)


def test_composite_score_with_every_component_and_double_overdue_deduction(session, app, make):
    november(make)
    settings = app.extensions["settings"]
    a = score_department(figures(session, settings)["ZJJ-A"], settings)
    assert {k: v["value"] for k, v in a["components"].items()} == {
        "satisfaction": 53.13, "rectification": 33.33, "response": 50.0, "resolution": 50.0}
    assert a["components"]["rectification"] == {
        "value": 33.33, "indicator": "rectification_rate", "numerator": 1, "denominator": 3}
    assert a["weights"] == {"satisfaction": 0.35, "rectification": 0.3, "response": 0.15,
                            "resolution": 0.2}
    # 0.35×53.13 + 0.30×33.33 + 0.15×50 + 0.20×50 = 46.0945; 2 overdue × 2 points
    assert a["base_score"] == 46.09
    assert a["overdue_tickets"] == 2 and a["overdue_deduction"] == 4.0
    assert a["score"] == 42.09
    assert a["grade"] == "fail" and a["color"] == "red"


def test_missing_components_are_left_out_and_the_weights_rescaled(session, app, make):
    november(make)
    settings = app.extensions["settings"]
    items = figures(session, settings)
    a1 = score_department(items["ZJJ-A1"], settings)
    assert a1["weights_applied"] == {"satisfaction": 1.0, "rectification": 0.0, "response": 0.0,
                                     "resolution": 0.0}
    assert a1["score"] == 100.0 and a1["grade"] == "excellent" and a1["color"] == "green"
    b = score_department(items["ZJJ-B"], settings)
    assert b["score"] is None and b["grade"] is None and b["color"] is None


def test_weights_deduction_and_thresholds_are_configurable(session, app, make):
    november(make)
    settings = replace(app.extensions["settings"],
                       indicator_weights={"satisfaction": 1, "rectification": 0, "response": 0,
                                          "resolution": 0},
                       overdue_deduction=1.0, indicator_color_thresholds={"green": 60, "yellow": 50},
                       appraisal_grades={"good": 51})
    a = score_department(figures(session, settings)["ZJJ-A"], settings)
    assert a["score"] == 51.13 and a["color"] == "yellow" and a["grade"] == "good"
    harsh = replace(settings, overdue_deduction=100.0)
    assert score_department(figures(session, harsh)["ZJJ-A"], harsh)["score"] == 0.0
