{#-
    dbt's `relationships` for a column an index leads with (a KPI id on tables indexed by
    (kpi_id, region_id, local_date)): the column's distinct values are read by a loose scan of
    that index (macro distinct_by_index), one index probe per value, instead of every row of the
    history (int_kpi_observations at 10 M events: 0.8 s of a day's build, growing with history).
    Without such an index each probe would scan the table: use `relationships`.
    Nulls pass, as in `relationships`. Rows returned = values the parent lacks.
-#}
{% test cjw_relationships_by_index(model, column_name, to, field) %}
with recursive {{ distinct_by_index('present', model, column_name) }}

select present.value as {{ column_name }}
from present
where present.value is not null
    and not exists (select from {{ to }} as parent where parent.{{ field }} = present.value)
{% endtest %}
