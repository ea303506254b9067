"""
### ingest_website — Yandex Metrica (hits, visits) and «Работа России» portal events → `raw`

One run per local day (Airflow data interval). For every region with a landing folder
`<landing>/<region>/website/`:

1. **fetch_exports** — pulls the interval's local days from the Yandex Metrica Logs API
   (evaluate → create log request → poll until `processed` → download every part → clean),
   with retries and backoff on quota (HTTP 429) and server errors, into `hits-YYYYMMDD.tsv`
   and `visits-YYYYMMDD.tsv`; files appear only when the whole pull succeeded. Counter and
   token come from the Airflow connection `cjw_metrica_<region>` (password = OAuth token,
   extra `{"counter_id": …}`); a region without one is not pulled — TSVs dropped into the
   folder are loaded as they are. Create the region's landing folder for it to be listed.
2. **load_batch** — reads the TSVs and `portal_events-YYYYMMDD.jsonl`; pseudonymises the Metrica
   cookie, ESIA id, SNILS, phone, e-mail and individuals' INN (keyed HMAC, key from the
   `cjw_pseudonymisation` connection), converts counter-local times to UTC, checks codes against
   the seeds, streams rows with COPY into `raw.raw_website_hits`, `raw.raw_website_visits`,
   `raw.raw_website_portal_events`, quarantines bad lines in `raw.rejected_website` with the
   reason and reconciles read = loaded + rejected + duplicate.
3. **validate_batch** — the Great Expectations suites of `expectations/raw_website_*.py`.

Re-running a day pulls and loads it again and replaces its batch. A validated batch updates the
`raw_website` Asset, which triggers `build_journeys`.
"""

from __future__ import annotations

from include.assets import RAW_ASSETS
from include.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    "website",
    RAW_ASSETS["website"],
    doc_md=__doc__,
    fetch="include.connectors.metrica:fetch_from_logs_api",
)
