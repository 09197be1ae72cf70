"""The Table 1 grid of corpora x systems x folds as jobs: plan them, run them anywhere, report them.

:mod:`.jobs` is one job as plain data and its state on disk, :mod:`.executors` runs jobs in
this process, on local workers or through submitit, :mod:`.run` sends a grid's unfinished
jobs and gathers their results, :mod:`.plan` tells disk and time before it runs, and
:mod:`.cli` is ``python -m camulenet grid``.
"""
