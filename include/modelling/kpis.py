"""Client KPIs of a queue, computed the same way from the data and from a model's replications.

The definitions are those of ``int_kpi_observations`` (thresholds from ``kpi_definitions``):
walk-in wait share = called walk-in tickets called within the threshold / called walk-in tickets;
service level = calls answered within the threshold / calls offered; abandon rate = calls
abandoned in the queue / calls offered; ASA = mean hold of answered calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

OFFICE_KPIS = ("office_wait_walkin", "office_wait_walkin_median")
CALL_KPIS = ("call_service_level", "call_service_level_20s", "call_abandon_rate", "call_asa")
# calibration tolerance: shares ±2 percentage points; times: the larger of 10 % and 1 min / 10 s
TOLERANCE = {
    "office_wait_walkin": ("pp", 0.02),
    "call_service_level": ("pp", 0.02),
    "call_service_level_20s": ("pp", 0.02),
    "call_abandon_rate": ("pp", 0.02),
    "office_wait_walkin_median": ("time", 1.0),  # minutes
    "call_asa": ("time", 10.0),  # seconds
}


@dataclass(frozen=True)
class Clients:
    """Clients of a queue: ready hour, walk-in/pre-booked, wait (s) and status (0 called, 1 abandoned, 2 timed out, 3 other)."""

    hour: np.ndarray
    priority: np.ndarray
    wait: np.ndarray
    status: np.ndarray
    weekday: np.ndarray


def _share(mask: np.ndarray, success: np.ndarray) -> float | None:
    n = int(mask.sum())
    return float((success & mask).sum() / n) if n else None


def kpi_functions(thresholds: dict[str, float]) -> dict[str, Callable[[Clients, np.ndarray], float | None]]:
    """KPI id -> function of the clients (restricted by a mask) giving the KPI's value."""
    walk_t = thresholds.get("office_wait_walkin", 900.0)
    sl_t = thresholds.get("call_service_level", 90.0)
    sl20_t = thresholds.get("call_service_level_20s", 20.0)

    def walkin(c: Clients, m: np.ndarray) -> float | None:
        return _share(m & ~c.priority & (c.status == 0), c.wait <= walk_t)

    def walkin_median(c: Clients, m: np.ndarray) -> float | None:
        sel = m & ~c.priority & (c.status == 0)
        return float(np.median(c.wait[sel]) / 60) if sel.any() else None

    def service_level(t: float) -> Callable[[Clients, np.ndarray], float | None]:
        return lambda c, m: _share(m, (c.status == 0) & (c.wait <= t))

    def abandon(c: Clients, m: np.ndarray) -> float | None:
        return _share(m, c.status == 1)

    def asa(c: Clients, m: np.ndarray) -> float | None:
        sel = m & (c.status == 0)
        return float(c.wait[sel].mean()) if sel.any() else None

    return {
        "office_wait_walkin": walkin,
        "office_wait_walkin_median": walkin_median,
        "call_service_level": service_level(sl_t),
        "call_service_level_20s": service_level(sl20_t),
        "call_abandon_rate": abandon,
        "call_asa": asa,
    }


def measured_clients(frame: Any) -> Clients:
    """The clients of ``fct_queue_services`` rows as the KPIs see them."""
    outcome = frame["outcome"].to_numpy(object)
    start = frame["start_s"].to_numpy(float)
    ready = frame["ready_s"].to_numpy(float)
    called = ~np.isnan(start)
    status = np.where(called, 0, np.where(outcome == "timed_out", 2, np.where(outcome == "other", 3, 1)))
    wait = np.where(called, start - ready, np.nan_to_num(frame["exit_wait_s"].to_numpy(float), nan=0.0))
    return Clients(
        (ready // 3600).astype(int),
        frame["is_priority"].to_numpy(bool),
        wait,
        status,
        frame["local_weekday"].to_numpy(int),
    )


def within_tolerance(kpi_id: str, measured: float | None, modelled: float | None) -> bool | None:
    if measured is None or modelled is None:
        return None
    kind, tol = TOLERANCE.get(kpi_id, ("pp", 0.02))
    if kind == "pp":
        return abs(measured - modelled) <= tol + 1e-9
    return abs(measured - modelled) <= max(tol, 0.1 * abs(measured)) + 1e-9


def tolerance_label(kpi_id: str, measured: float | None) -> str:
    kind, tol = TOLERANCE.get(kpi_id, ("pp", 0.02))
    if kind == "pp":
        return f"±{tol * 100:.0f} п.п."
    unit = "мин" if kpi_id.startswith("office") else "с"
    return f"±max({tol:g} {unit}; 10 %)"
