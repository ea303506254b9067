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

{#-
    The same for sorts: a pre-hook where PostgreSQL overestimates the groups of an aggregate so far
    that it sorts every row rather than hash them (fct_touchpoint_kpis at 10 M events: the
    office-days estimated at 470 000, 77 000 in the data; the sort spilled 1 GB to disk). A hashed
    aggregate that outgrows work_mem spills by batches; a sort the statement needs still runs.
-#}
{% macro without_sorts() -%}
    set local enable_sort = off
{%- endmacro %}

{#-
    A pre-hook for a model that reads its whole input in key order on a full or reset build, where
    PostgreSQL walks the input's index to skip a sort and so reads the table page by page in index
    order (int_calls__summarised at 10 M events: 31 s of index scan for 5.9 M queue events, 50 s
    in all; a parallel scan and sort 7 s, 26 s in all). An incremental build keeps its index
    look-ups: it reads a day's keys.
-#}
{% macro without_index_order_when_whole() -%}
    {%- if staging_mode() | trim != 'incremental' -%}
        set local enable_indexscan = off;
        set local enable_bitmapscan = off
    {%- endif -%}
{%- endmacro %}

{#-
    Planner statistics as soon as a table is built (the project's post-hook): the next model reads
    it before autovacuum gets to it, and without statistics PostgreSQL plans for a handful of rows.
    An incremental model that only took in a day's rows keeps the statistics it has (a day does
    not change a history's distribution; autovacuum analyses a table that changed by a tenth):
    it is analysed only when it has none, i.e. when it was (re)created. "None" is read from
    pg_stats, not from pg_class.reltuples: the indexes dbt makes on a new table set reltuples, and
    a first build then read it without column statistics (int_identity__shared_identifiers at 1 M
    events: minutes instead of 3 s).
-#}
{% macro analyze_after_build() -%}
    {%- if config.get('materialized') == 'incremental' -%}
        do $$ begin
            if not exists (
                select from pg_stats where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
            ) then
                execute 'analyze {{ this }}';
            end if;
        end $$
    {%- else -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}

{#-
    A recursive CTE `name (value)` of the distinct non-null values of `column` in `relation`, read
    by a loose scan of an index that leads with the column: the smallest value, then the next one
    above it — one index probe per value instead of a `distinct` over every row. The last row holds
    null (no value above the largest): readers take `value is not null`. Only where such an index
    exists (without one, each probe scans the table); the query needs `with recursive`.
-#}
{% macro distinct_by_index(name, relation, column) -%}
    {{ name }} (value) as (
        select min({{ column }}) from {{ relation }}
        union all
        select (
            select min(later.{{ column }}) from {{ relation }} as later
            where later.{{ column }} > {{ name }}.value
        )
        from {{ name }}
        where {{ name }}.value is not null
    )
{%- endmacro %}
