{#-
    One row per measurement that feeds a touchpoint KPI (measures in the KPI's unit, 4 decimals): a
    called walk-in ticket for the walk-in wait, an offered call for the service level, and so on —
    from every source registered for kpi_observations in the project variable cjw_event_sources
    (macro union_event_sources over int_<source>__kpi_observations). Thresholds come from the
    kpi_definitions seed, never from SQL. `aggregation` says how fct_touchpoint_kpis turns
    observations into a value: share of successes, median or mean of the measure. `source` and
    `event_key` name the event (ticket, call) so journey-level KPIs can place it on a journey
    stage. Region figures (fct_touchpoint_kpis, office_id null) read `region_is_success` and
    `region_measure` of the rows with `counts_in_region`: a ticket is the same for its office and
    its region, but a call that overflowed from one queue to another is one offer to the region,
    with its whole wait, and one offer to each queue's office.

    A view: the per-source tables are incremental and indexed for its readers — (region_id,
    event_key) for an event's observations, (kpi_id, region_id, local_date) for a KPI's month — and
    each part names its source as a constant, so a condition on `source` skips the other tables.
    As a table it copied every observation again (11.4 M rows at 10 M events: 64 s of a full build)
    and wrote each day's twice.
-#}
{{ config(materialized='view') }}
{{ union_event_sources('kpi_observations', literal_source=true) }}
