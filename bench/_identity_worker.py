"""Runs one method on one prepared data set in its own process (so its peak RSS is its own)."""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

from _identity_methods import METHODS  # noqa: E402


def main() -> None:
    method, dataset, data, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    threshold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.5
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    extra = METHODS[method](data, dataset, out, threshold)
    extra["threshold"] = threshold
    extra["wall_seconds"] = time.perf_counter() - t
    # Peak RSS of this program: VmHWM of its own address space (ru_maxrss of a child started by
    # fork+exec also counts the parent's RSS at fork time on Linux, so it is not used).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            extra["peak_rss_mb"] = int(line.split()[1]) / 1024
    (out / "result.json").write_text(json.dumps(extra, default=str))


if __name__ == "__main__":
    main()
