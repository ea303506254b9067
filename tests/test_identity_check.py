"""The identity-stitching measure used for the closing figures: pairs counted right."""

from __future__ import annotations

import pytest

from tools.identity_check import measure


def test_precision_and_recall_count_pairs_of_events() -> None:
    truth = {("call_centre", "c1"): "A", ("cases", "k1"): "A", ("website_hits", "h1"): "A",
             ("call_centre", "c2"): "B", ("cases", "k2"): "B", ("website_hits", "h0"): ""}  # fmt: skip
    predicted = [
        ("call_centre", "c1", "x"),
        ("cases", "k1", "x"),
        ("website_hits", "h1", "y"),  # A's cookie never met a login: split off
        ("call_centre", "c2", "x"),  # B glued to A: a false pair twice over
        ("cases", "k2", None),  # unattributed
        ("website_hits", "h0", "z"),  # an anonymous visitor: not counted
    ]
    result = measure(predicted, truth)
    assert result["events"] == 5
    # predicted pairs: x has 3 events -> 3 pairs, 1 of them true (c1,k1); true pairs: A 3, B 1
    assert result["precision"] == pytest.approx(1 / 3)
    assert result["recall"] == pytest.approx(1 / 4)
    assert result["unattributed_by_source"] == {"cases": 1}
    assert result["split_clients"] == 2
    assert result["events_outside_main_client_by_source"] == {"website_hits": 1, "cases": 1}


def test_an_event_missing_from_the_truth_is_an_error() -> None:
    with pytest.raises(KeyError, match="not in the generator's truth"):
        measure([("chatbot", "s9", "x")], {("chatbot", "s1"): "A"})
