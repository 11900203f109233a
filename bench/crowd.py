"""Peak memory of matching a crowd of held students against the applicants.

    python -m bench.crowd [--students 150000] [--applicants 50000]

October: every school has sent its grade-12 cohort and few students have applied yet, so most
students are held and matched again at every run. The students and applicants come from the
labelled generator; the peak resident memory of this process is read from the kernel.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from bench.linkage_data import generate_linkage_set
from matching import match_students


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=150_000)
    parser.add_argument("--applicants", type=int, default=50_000)
    args = parser.parse_args(argv)
    linkage = generate_linkage_set(args.students, seed=7)
    applicants = linkage.applicants.head(args.applicants)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    decisions = match_students(linkage.students, applicants)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statuses = dict(decisions.group_by("status").len().iter_rows())
    print(
        json.dumps(
            {
                "students": linkage.students.height,
                "applicants": applicants.height,
                "seconds": round(seconds, 1),
                "peak_rss_mib_before_matching": before // 1024,
                "peak_rss_mib": peak // 1024,
                "statuses": statuses,
            }
        )
    )


if __name__ == "__main__":
    main()
