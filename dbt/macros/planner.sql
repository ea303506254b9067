{#-
    A model's pre-hook for statements whose joins PostgreSQL misestimates: a CTE that joins or
    filters through LIKE patterns, group lists or aggregates is estimated at one row, and the
    planner then nests loops over hundreds of thousands of rows (int_journey_kpi_observations at
    1 M events: 7.1 s, 6.6 of them in one nested loop; 0.5 s with hash joins). `set local`: this
    statement only. Use it where a plan showed the problem, not by default — for a real lookup
    a nested loop over an index is the right plan.
-#}
{% macro without_nested_loops() -%}
    set local enable_nestloop = off
{%- endmacro %}
