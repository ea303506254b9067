"""How well identity stitching works on a synthetic region, against the generator's truth.

The generator records the true client of every event (``<landing>/<region>/truth/events-*.csv``).
Over the events that carry a personal identifier, this measures precision and recall of the
statement "these two events belong to the same client" and shows where recall is lost: events
left unattributed, and events of one true client spread over several stitched clients, by source.

    python -m tools.identity_check                 # the demo region in the embedded warehouse
    python -m tools.identity_check --region zarechnaya --landing var/landing
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg

from include import settings


def truth_clients(landing: Path, region_id: str) -> dict[tuple[str, str], str]:
    truth: dict[tuple[str, str], str] = {}
    for path in sorted((landing / region_id / "truth").glob("events-*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                truth[(row["source"], row["event_key"])] = row["client_id"]
    if not truth:
        raise FileNotFoundError(f"no generator truth in {landing / region_id / 'truth'}")
    return truth


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def measure(predicted: Iterable[tuple[str, str, str | None]], truth: dict[tuple[str, str], str]) -> dict[str, Any]:
    """``predicted``: (source, event_key, client_id or None) of events with a personal identifier."""
    together: Counter[tuple[str, str]] = Counter()
    by_truth: Counter[str] = Counter()
    by_prediction: Counter[str] = Counter()
    sources: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    unattributed: Counter[str] = Counter()
    for source, key, client_id in predicted:
        true_client = truth.get((source, key))
        if true_client is None:
            raise KeyError(f"event {source}:{key} is not in the generator's truth")
        if not true_client:
            continue  # an anonymous background visitor: nothing to compare with
        cluster = client_id or f"alone:{source}:{key}"
        if client_id is None:
            unattributed[source] += 1
        together[(cluster, true_client)] += 1
        by_truth[true_client] += 1
        by_prediction[cluster] += 1
        sources[(true_client, cluster)][source] += 1
    clusters: dict[str, Counter[str]] = defaultdict(Counter)
    for (cluster, true_client), n in together.items():
        clusters[true_client][cluster] += n
    split: Counter[str] = Counter()
    split_clients = 0
    for true_client, spread in clusters.items():
        if len(spread) < 2:
            continue
        split_clients += 1
        main = spread.most_common(1)[0][0]
        for cluster in spread:
            if cluster != main:
                split.update(sources[(true_client, cluster)])
    same = _pairs(together.values())
    return {
        "events": sum(by_truth.values()),
        "clients": len(by_truth),
        "precision": same / max(1, _pairs(by_prediction.values())),
        "recall": same / max(1, _pairs(by_truth.values())),
        "unattributed_by_source": dict(unattributed.most_common()),
        "split_clients": split_clients,
        "events_outside_main_client_by_source": dict(split.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="enskaya")
    parser.add_argument("--landing", type=Path, default=None, help="default: the project's landing folder")
    parser.add_argument("--dsn", default=None, help="default: WAREHOUSE_DSN or the embedded warehouse")
    args = parser.parse_args(argv)
    if args.dsn is None:
        from tools.warehouse import resolve_dsn

        args.dsn = resolve_dsn()
    truth = truth_clients(args.landing or settings.landing_dir(), args.region)
    with psycopg.connect(args.dsn) as conn:
        predicted = conn.execute(
            "select source, event_key, client_id from intermediate.int_identity__event_clients"
            " where has_personal_identifier and region_id = %s",
            (args.region,),
        ).fetchall()
    result = measure(predicted, truth)
    print(f"region {args.region}: {result['events']} events with a personal identifier, {result['clients']} clients")
    print(f"precision {result['precision']:.4f}  recall {result['recall']:.4f}  (targets ≥ 0.99, ≥ 0.95)")
    print(f"unattributed events by source: {result['unattributed_by_source']}")
    print(
        f"{result['split_clients']} clients spread over several stitched clients; their events outside"
        f" the main one by source: {result['events_outside_main_client_by_source']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
