from pathlib import Path

from camulenet.storage.paths import shown


def test_shown_names_data_paths_from_the_data_root_never_the_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path))
    assert shown(tmp_path / "corpora" / "crema-d") == "$CAMULENET_DATA/corpora/crema-d"
    assert str(tmp_path) not in shown(tmp_path / "smoke" / "runs")
    outside = Path("/somewhere/else")
    assert shown(outside) == str(outside)  # not below the data root: said as it is
