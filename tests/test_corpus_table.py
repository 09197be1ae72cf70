"""The compact corpus table: five short columns, speakers as total (female/male), dashes for unknowns."""

from __future__ import annotations

from camulenet.book.corpus_text import corpus_table


def test_corpus_table_compact():
    info = {"toy": {"name": "Toy corpus", "language": "en", "clips": 1234, "speakers": 10,
                    "female_speakers": 4, "male_speakers": 6, "emotions": 5},
            "gated": {"name": "Gated", "language": None, "clips": None, "speakers": None,
                      "female_speakers": None, "male_speakers": None, "emotions": None}}
    table = corpus_table(info)
    assert list(table.columns) == ["parameter", "lang.", "clips", "speakers (F/M)", "emotions"]
    assert table.loc["Toy corpus"].tolist() == ["toy", "en", "1,234", "10 (4/6)", "5"]
    assert table.loc["Gated"].tolist() == ["gated", "several", "-", "-", "-"]


def test_corpus_table_covers_every_loader():
    from data_prep.loaders import CORPUS_INFO

    assert sorted(corpus_table()["parameter"]) == sorted(CORPUS_INFO)
