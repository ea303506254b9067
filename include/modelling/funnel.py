"""The journey funnel as a chain of stages: a changed drop-off at one stage carried to the stages after it.

From ``marts.fct_stage_funnel`` (clients reached, went on, dropped off per stage): the clients a
scenario keeps at a stage (``dropped × (1 − factor)``) go on to the next stage and then convert
at every later stage as clients do now (the conversion of each later stage is kept). Predicted:
the stage's conversion and drop-off, and the share of clients who reach the journey's last stage
(``journey_completion``). Days between stages are kept as they are (the model does not change
them). The interval comes from a parametric bootstrap of every stage's counts (binomial), seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FUNNEL_KPIS = ("stage_conversion", "stage_drop_off", "journey_completion")


@dataclass(frozen=True)
class Stage:
    stage_id: str
    reached: int
    went_on: int | None  # None at the last stage
    dropped: int


def _kpis(stages: list[Stage], at: int, went_on: np.ndarray, dropped: np.ndarray, factor: float) -> dict[str, float]:
    reached = np.array([s.reached for s in stages], float)
    conv = np.divide(went_on, reached, out=np.zeros(len(stages)), where=reached > 0)
    rescued = dropped[at] * (1 - factor)
    extra = rescued
    for k in range(at + 1, len(stages) - 1):
        extra *= conv[k]
    final = reached[-1] + (extra if at < len(stages) - 1 else 0.0)
    return {
        "stage_conversion": (went_on[at] + rescued) / reached[at] if reached[at] else float("nan"),
        "stage_drop_off": dropped[at] * factor / reached[at] if reached[at] else float("nan"),
        "journey_completion": final / reached[0] if reached[0] else float("nan"),
    }


def predict(
    stages: list[Stage], stage_id: str, factor: float, *, replications: int = 200, seed: int = 0
) -> dict[str, tuple[float, float, float, float]]:
    """KPI -> (now, predicted, low, high) for ``stage_id``'s drop-off multiplied by ``factor``."""
    index = [s.stage_id for s in stages].index(stage_id)
    went_on = np.array([s.went_on or 0 for s in stages], float)
    dropped = np.array([s.dropped for s in stages], float)
    now = _kpis(stages, index, went_on, dropped, 1.0)
    point = _kpis(stages, index, went_on, dropped, factor)
    rng = np.random.default_rng(seed)
    reached = np.array([max(s.reached, 0) for s in stages])
    p_on = np.divide(went_on, reached, out=np.zeros(len(stages)), where=reached > 0)
    p_drop = np.divide(dropped, reached, out=np.zeros(len(stages)), where=reached > 0)
    draws: dict[str, list[float]] = {k: [] for k in FUNNEL_KPIS}
    for _ in range(replications):
        on_b = rng.binomial(reached, np.clip(p_on, 0, 1)).astype(float)
        drop_b = np.minimum(rng.binomial(reached, np.clip(p_drop, 0, 1)), reached - on_b).astype(float)
        for k, v in _kpis(stages, index, on_b, np.maximum(drop_b, 0), factor).items():
            draws[k].append(v)
    return {
        k: (now[k], point[k], float(np.nanpercentile(draws[k], 2.5)), float(np.nanpercentile(draws[k], 97.5)))
        for k in FUNNEL_KPIS
    }
