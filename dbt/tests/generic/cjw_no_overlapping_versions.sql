{#- Versions of one journey must not be in force at the same time ([valid_from, valid_to) ranges). -#}
{% test cjw_no_overlapping_versions(model) %}
select a.journey_id, a.version, b.version as overlapping_version
from {{ model }} as a
inner join {{ model }} as b
    on a.journey_id = b.journey_id
    and a.version < b.version
    and daterange(a.valid_from, a.valid_to) && daterange(b.valid_from, b.valid_to)
{% endtest %}
