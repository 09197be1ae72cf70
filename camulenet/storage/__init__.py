"""Where artefacts live and how they are written: paths, cache keys, atomic writes, ragged shards.

The lowest wing: it knows nothing of corpora, models or the book. Every cached artefact
(features, folds, runs, checkpoints) is stored under a key of the settings that made it
(:mod:`.cache_keys`), written whole or not at all (:mod:`.atomic`), and variable-length
features are flat arrays plus offsets, memory-mapped shard by shard (:mod:`.ragged`).
"""
