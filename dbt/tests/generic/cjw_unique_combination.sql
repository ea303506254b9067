{#- The combination of columns is unique (no dbt_utils: the package hub is unreachable). -#}
{% test cjw_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as duplicates
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
