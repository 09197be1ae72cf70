"""PeakRSS sees memory that a block holds only briefly, and nothing before the block."""

import numpy as np

from camulenet.memory import PeakRSS


def test_peak_rss_catches_a_short_lived_allocation():
    with PeakRSS(interval=0.005) as small:
        pass
    with PeakRSS(interval=0.005) as big:
        block = np.ones(200 * 2**20 // 8)  # 200 MiB, touched
        import time
        time.sleep(0.05)
        del block
    assert big.delta_mb > 150 and big.peak_mb >= big.delta_mb
    assert small.delta_mb < 50
