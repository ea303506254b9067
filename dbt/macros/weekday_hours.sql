{#-
    Hours from `start_local` to `end_local` (local timestamps without time zone) not counting
    Saturdays and Sundays: the time a request waits for an answer in working days. Public
    holidays are not known to the warehouse and count as working days.
-#}
{% macro weekday_hours_between(start_local, end_local) -%}
    (
        extract(epoch from ({{ end_local }}) - ({{ start_local }}))
        - coalesce((
            select sum(extract(epoch from
                least(({{ end_local }}), weekend_day + interval '1 day') - greatest(({{ start_local }}), weekend_day)
            ))
            from generate_series(
                date_trunc('day', ({{ start_local }})), ({{ end_local }}), interval '1 day'
            ) as weekend_day
            where extract(isodow from weekend_day) in (6, 7)
        ), 0)
    ) / 3600.0
{%- endmacro %}
