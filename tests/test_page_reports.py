"""What a page says about its audio: the licence and attribution beside every gallery, and
the clips that could not be read (failures.csv) as a captioned table with the fix."""

from __future__ import annotations

import pandas as pd

from camulenet.book.corpus_text import AUDIO_TERMS, audio_terms_text
from camulenet.book.unreadable import failures_table, failures_text, left_out_text
from data_prep.loaders import CORPUS_INFO
from data_prep.synthetic.layouts import LAYOUT_FILE


def _manifest(path) -> pd.DataFrame:
    return pd.DataFrame([{"utt_id": "u", "path": str(path), "corpus": "x"}])


def test_every_corpus_a_page_can_play_has_its_licence_and_attribution():
    assert set(CORPUS_INFO) <= set(AUDIO_TERMS)
    for terms in AUDIO_TERMS.values():
        assert terms.licence and terms.attribution


def test_the_gallery_line_names_licence_attribution_and_changes(tmp_path):
    clip = tmp_path / "Actor_01" / "03-01-01-01-01-01-01.wav"
    ravdess = audio_terms_text("ravdess", _manifest(clip), 4.0)
    assert "[CC BY-NC-SA 4.0](https://creativecommons.org/licenses/by-nc-sa/4.0/)" in ravdess
    assert "Livingstone SR, Russo FA (2018)" in ravdess and "zenodo.org/record/1188976" in ravdess
    assert "first 4 s of its clip, resampled to 16 kHz mono, and shared under the same licence" in ravdess
    assert "Do not publish" not in ravdess
    assert "Do not publish this page" in audio_terms_text("iemocap", _manifest(clip), 4.0)
    assert "no licence on file" in audio_terms_text("my-corpus", _manifest(clip), 4.0)
    assert "MIT" in audio_terms_text("synthetic-small", _manifest(clip), 4.0)
    (tmp_path / LAYOUT_FILE).write_text("{}")  # synthetic clips under RAVDESS's names carry the synthetic terms
    rendered = audio_terms_text("ravdess", _manifest(clip), 4.0)
    assert "MIT" in rendered and "no ravdess audio is played" in rendered and "CC BY-NC-SA" not in rendered


def test_failures_table_shows_paths_below_the_data_root_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path))
    clip = tmp_path / "corpora" / "toy" / "a.wav"
    failures = pd.DataFrame([{"utt_id": "a", "path": str(clip),
                              "reason": f"unreadable or corrupt audio (LibsndfileError: Error opening '{clip}')",
                              "fix_hint": "re-download the file"}])
    html = failures_table(failures, "Clips that could not be read").to_html()
    assert "Clips that could not be read" in html and "re-download the file" in html
    assert "$CAMULENET_DATA/corpora/toy/a.wav" in html and str(tmp_path) not in html
    text = failures_text(1, 20)
    assert text.startswith("1 of 20 clips could not be read") and "build again" in text
    assert left_out_text(0, 20, "this baseline") == ""
    assert left_out_text(2, 20, "this baseline").startswith("2 of 20 clips could not be read and are left out")
