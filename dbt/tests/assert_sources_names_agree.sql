{#-
    The names the pages take from the sources seed (mart dim_sources) are unambiguous and cover
    every channel the events carry:
      * one `ingest_source_name_ru` per ingest source (data freshness lists ingest sources);
      * one `channel_name_ru` per channel, and a channel name only with a channel;
      * a source that names its channel has its events in that channel;
      * every channel of int_touchpoint_events has a name.
    Rows returned = a rule broken.

    The (source, channel) pairs of the events are read by a loose scan of the index on
    int_touchpoint_events (source, channel) — the next source, the next channel of a source, a
    source's events without a channel: a few index probes — not by a `distinct` over every event of
    the history (0.9 s of a day's build at 10 M events, on its longest path).
-#}
{#- a relation, not a CTE: a CTE read more than once is materialised (every event copied) -#}
{%- set events = ref('int_touchpoint_events') %}
with recursive

sources as (
    select * from {{ ref('sources') }}
),

{{ distinct_by_index('event_sources', events, 'source') }},

source_channels (source, channel) as (
    select
        event_sources.value,
        (select min(events.channel) from {{ events }} as events where events.source = event_sources.value)
    from event_sources
    where event_sources.value is not null
    union all
    select
        source_channels.source,
        (
            select min(events.channel) from {{ events }} as events
            where events.source = source_channels.source and events.channel > source_channels.channel
        )
    from source_channels
    where source_channels.channel is not null
),

event_channels as (
    select source, channel from source_channels
    where channel is not null
    union all
    select event_sources.value, null
    from event_sources
    where event_sources.value is not null
        and exists (select from {{ events }} as events where events.source = event_sources.value and events.channel is null)
),

ingest_names as (
    select ingest_source as code, 'several ingest_source_name_ru for one ingest source' as problem
    from sources
    group by ingest_source
    having count(distinct ingest_source_name_ru) > 1
),

channel_names as (
    select channel as code, 'several channel_name_ru for one channel' as problem
    from sources
    where channel is not null
    group by channel
    having count(distinct channel_name_ru) > 1
),

unnamed_channels as (
    select source_id as code, 'a channel_name_ru without a channel, or a channel without a name' as problem
    from sources
    where (channel is null) <> (channel_name_ru is null)
),

other_channel as (
    select event_channels.source || ': ' || event_channels.channel as code,
        'events in another channel than the seed gives the source' as problem
    from event_channels
    inner join sources on event_channels.source = sources.source_id
    where sources.channel is not null and event_channels.channel is distinct from sources.channel
),

channel_without_name as (
    select event_channels.channel as code, 'events in a channel the seed does not name' as problem
    from event_channels
    where not exists (
        select 1 from sources where sources.channel = event_channels.channel and sources.channel_name_ru is not null
    )
)

select * from ingest_names
union all
select * from channel_names
union all
select * from unnamed_channels
union all
select * from other_channel
union all
select * from channel_without_name
