"""
### ingest_chatbot — chatbot events (JSON lines) → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/chatbot/`: reads `chatbot_events-YYYYMMDD.jsonl` (schema
`include/schemas/chatbot_event.schema.json`), converts times to UTC, pseudonymises the messenger
user id and shared phones (keyed HMAC, key from the `cjw_pseudonymisation` connection), masks
phones, SNILS and e-mails inside messages, streams rows with COPY into `raw.raw_chatbot_events`,
quarantines bad lines in `raw.rejected_chatbot` with the reason, reconciles
read = loaded + rejected + duplicate, then validates the batch with the Great Expectations suite
of `expectations/`. Re-running a day replaces its batch. A validated batch updates the
`raw_chatbot` Asset.
"""

from __future__ import annotations

from include.assets import RAW_ASSETS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("chatbot", RAW_ASSETS["chatbot"], doc_md=__doc__)
