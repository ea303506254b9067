"""
### ingest_email_requests — e-mail and web-form requests (help-desk export, JSON lines) → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/email_requests/`: reads `email_requests-YYYYMMDD.jsonl` (schema
`include/schemas/email_request_event.schema.json`: a request received by e-mail or through the
site's form, answered, closed), converts times to UTC, pseudonymises the sender's e-mail and the
phone and SNILS a form asks for (keyed HMAC, key from the `cjw_pseudonymisation` connection),
masks phones, SNILS and e-mails inside subjects and texts, streams rows with COPY into
`raw.raw_email_requests_events`, quarantines bad lines in `raw.rejected_email_requests` with the
reason, reconciles read = loaded + rejected + duplicate, then validates the batch with the Great
Expectations suite of `expectations/`. Re-running a day replaces its batch. A validated batch
updates the `raw_email_requests` Asset.
"""

from __future__ import annotations

from include.assets import RAW_ASSETS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag("email_requests", RAW_ASSETS["email_requests"], doc_md=__doc__)
