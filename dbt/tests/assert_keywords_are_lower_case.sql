{#-
    The keyword patterns the working group edits are matched against text folded to lower case
    (macro fold_case): a keyword written with a capital letter would never match. One row per
    pattern that is not in lower case.
-#}
select 'chatbot_intents' as seed, intent as code, keywords_ru as pattern
from {{ ref('chatbot_intents') }}
where keywords_ru <> {{ fold_case('keywords_ru') }}

union all

select 'comment_themes', theme, pattern
from {{ ref('comment_themes') }}
where pattern <> {{ fold_case('pattern') }}

union all

select 'email_request_topics', topic_code, keywords_ru
from {{ ref('email_request_topics') }}
where keywords_ru <> {{ fold_case('keywords_ru') }}
