"""The emotion-rules table is read from the generator's constants, not typed."""

from __future__ import annotations

import math

from camulenet.book import synthetic_rules
from data_prep.synthetic import emotions


def test_table_matches_generator_prototypes():
    table = synthetic_rules.emotion_rules_table()
    assert list(table.index) == list(emotions.EMOTIONS)
    for emo, proto in emotions.PROTOTYPES.items():
        row = table.loc[emo]
        gain = proto.get("gain_db", 0)
        assert row["level (dB)"] == ("0" if gain == 0 else f"{gain:+.0f}")
        assert row["pitch"] == ("0" if proto.get("pitch", 0) == 0 else f"{proto['pitch']:+.0f}")
        rate = 100 * (math.exp(proto.get("rate", 0)) - 1)
        assert row["rate"] == ("0" if rate == 0 else f"{rate:+.0f}%")
    assert (table.loc["neutral"].isin(["0", "-"])).all()


def test_table_follows_a_changed_constant(monkeypatch):
    changed = {**emotions.PROTOTYPES, "sad": {**emotions.PROTOTYPES["sad"], "creak": 0.4, "gain_db": -9}}
    monkeypatch.setattr(emotions, "PROTOTYPES", changed)
    row = synthetic_rules.emotion_rules_table().loc["sad"]
    assert row["level (dB)"] == "-9"
    assert "creaky 0.4" in row["voice quality"]
