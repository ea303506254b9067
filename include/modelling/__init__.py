"""Dynamic modelling of corrective measures (issue 15): queueing models of the office electronic
queue and the call-centre queues, a journey-funnel model, calibrated from the published marts;
scenarios from the ``scenarios`` seed, a calibration check, a backtest against the registered
improvement measures and the modelled effect of the improvement instruments on the pain points.

No Airflow here: ``python -m include.modelling`` runs it by hand, ``dags/model_scenarios.py``
after each publish of the marts.
"""
