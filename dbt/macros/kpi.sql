{#- Traffic-light status of a KPI value against its norm; norms and bands come from the seed. -#}
{% macro kpi_status(value, direction, norm, band) -%}
    case
        when {{ value }} is null or {{ norm }} is null then 'no_data'
        when {{ direction }} = 'higher_is_better' and {{ value }} >= {{ norm }} then 'green'
        when {{ direction }} = 'higher_is_better' and {{ value }} >= {{ norm }} * (1 - {{ band }}) then 'amber'
        when {{ direction }} = 'lower_is_better' and {{ value }} <= {{ norm }} then 'green'
        when {{ direction }} = 'lower_is_better' and {{ value }} <= {{ norm }} * (1 + {{ band }}) then 'amber'
        else 'red'
    end
{%- endmacro %}

{#- A KPI's threshold (kpi_definitions: threshold_value in threshold_unit) in seconds. -#}
{% macro threshold_seconds(value, unit) -%}
    case {{ unit }}
        when 'minutes' then {{ value }} * 60
        when 'seconds' then {{ value }}
        when 'hours' then {{ value }} * 3600
    end
{%- endmacro %}

{#- A stable text key from several columns (nulls kept distinct from empty strings). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|'{%- for column in columns %}, coalesce(cast({{ column }} as text), '∅'){%- endfor %}))
{%- endmacro %}

{#- Local calendar attributes of a UTC timestamp in a time zone column. -#}
{% macro local_parts(ts, tz, prefix) -%}
    ({{ ts }} at time zone {{ tz }})::date as {{ prefix }}_local_date,
    extract(isodow from {{ ts }} at time zone {{ tz }})::int as {{ prefix }}_local_weekday,
    extract(hour from {{ ts }} at time zone {{ tz }})::int as {{ prefix }}_local_hour
{%- endmacro %}

{#- The additive part of kpi_aggregates: sums a later grouping can add up again. -#}
{% macro kpi_sums() -%}
        max(aggregation) as aggregation,
        count(*) as observations,
        count(*) filter (where is_success) as successes,
        sum(measure) as measure_sum,
        count(measure) as measure_count
{%- endmacro %}

{#-
    kpi_sums() again over rows that hold them (per day, per client): the sums added up. `count_type`
    casts the counts back (a sum of bigint is numeric), for a union with rows of kpi_sums().
-#}
{% macro kpi_sums_added(count_type=none) -%}
    {%- set cast = '::' ~ count_type if count_type else '' -%}
        max(aggregation) as aggregation,
        sum(observations){{ cast }} as observations,
        sum(successes){{ cast }} as successes,
        sum(measure_sum) as measure_sum,
        sum(measure_count){{ cast }} as measure_count
{%- endmacro %}

{#-
    The columns of kpi_aggregates() for rows already summed by kpi_sums(): as they are, or added
    up again to a coarser level (`added`: a month from its days, a region from its offices). No
    median: a median is aggregated from its observations (kpi_aggregates()), in a branch of its own.
-#}
{% macro kpi_sums_without_median(added=false) -%}
    {%- if added %}
        {{ kpi_sums_added('bigint') }},
    {%- else %}
        aggregation,
        observations,
        successes,
        measure_sum,
        measure_count,
    {%- endif %}
        null::double precision as measure_median
{%- endmacro %}

{#- Aggregates every KPI formula needs, for a GROUP BY over int_kpi_observations. -#}
{% macro kpi_aggregates() -%}
        {{ kpi_sums() }},
        -- the median through a plain array_agg: an ordered-set aggregate in the GROUP BY would force
        -- PostgreSQL to sort every observation (grouping sets included), while only median KPIs
        -- need their values ordered; with this the grouping is hashed (fct_touchpoint_kpis at
        -- 1 M events: 5.3 s → see docs/performance.md)
        (
            select percentile_cont(0.5) within group (order by median_values.value)
            from unnest(array_agg(measure) filter (where aggregation = 'median')) as median_values (value)
        ) as measure_median
{%- endmacro %}

{#-
    KPI value from those aggregates. Shares: successes / observations; means: sum / count
    (numerator and denominator kept so BI can re-aggregate); medians: no numerator/denominator.
-#}
{% macro kpi_value_columns() -%}
        case aggregation
            when 'share' then successes::numeric
            when 'mean' then measure_sum
        end as numerator,
        case aggregation
            when 'share' then observations::numeric
            when 'mean' then measure_count::numeric
        end as denominator,
        case aggregation
            when 'share' then successes::numeric / nullif(observations, 0)
            when 'mean' then measure_sum / nullif(measure_count, 0)
            when 'median' then measure_median::numeric
        end as value,
        observations as sample_size
{%- endmacro %}

{#-
    The published columns of a KPI row from `valued` (kpi_value_columns) joined to `kpis`
    (dim_kpis): figures without trailing zeros, sizes, norm and traffic-light status. With
    `clients`, sample_size counts clients (valued.clients) and observations the rows.
-#}
{% macro kpi_published_columns(clients=false) -%}
        trim_scale(valued.numerator) as numerator,
        trim_scale(valued.denominator) as denominator,
        trim_scale(round(valued.value, 6)) as value,
        {%- if clients %}
        valued.sample_size::int as observations,
        valued.clients::int as sample_size,
        {%- else %}
        valued.sample_size::int as sample_size,
        {%- endif %}
        kpis.norm_value,
        {{ kpi_status('valued.value', 'kpis.direction', 'kpis.norm_value', 'kpis.amber_band') }} as status
{%- endmacro %}

{#- How far a value misses its norm, relative to the norm (0.25 = 25 % worse); negative = better. -#}
{% macro relative_gap(value, direction, norm) -%}
    case
        when {{ direction }} = 'higher_is_better' then ({{ norm }} - {{ value }}) / nullif(abs({{ norm }}), 0)
        else ({{ value }} - {{ norm }}) / nullif(abs({{ norm }}), 0)
    end
{%- endmacro %}

{#-
    Memory for the KPI aggregates (a model's pre-hook, this statement only): hashing the day and
    month grouping sets of all observations needs more than PostgreSQL's default work_mem, below
    which it sorts every observation instead (fct_touchpoint_kpis at 1 M events: 5.0 s → 1.8 s).
-#}
{% macro aggregate_work_mem() -%}
    set local work_mem = '{{ var("cjw_aggregate_work_mem") }}'
{%- endmacro %}
