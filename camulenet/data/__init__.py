"""Corpora as manifests, their audio, and the speaker-independent folds the paper tests on.

:mod:`.schema` names the manifest's columns and labels, :mod:`.corpora` loads any corpus into
one (through ``data_prep.loaders``), :mod:`.audio` reads clips with errors that say what to
do, :mod:`.folds` and :mod:`.transfer_folds` deal speakers (or languages, or corpora) into
folds no speaker crosses, and :mod:`.prepare` makes the book's corpus and folds under its
settings, once.
"""
