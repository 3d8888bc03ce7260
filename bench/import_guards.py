"""Benchmark: the checks an uploaded file passes before it is parsed (`lib.tabular.Limits`,
issue 10 item 5), on a province-sized xlsx and on the memory bombs of the issue.

    python -m bench.import_guards

No Django. Builds (seeded, in a temporary folder) a province-sized statistics xlsx (255,470
rows of the 10 template columns, 15 MB) and four bombs: a 1 MB xlsx holding one 1 GiB
shared string, a 14 MB xlsx of 3 million rows, a 6 MB CSV of 3 million rows, and a 2 kB
xlsx whose two cells span 26 million.

Measured, each in a process of its own (peak memory is the process's VmHWM, its peak
resident memory, the reader allocating outside Python): the province read without limits (baseline) and with the
web upload's limits (`ratio` = with / without: what the checks cost a good file), and each
bomb with the limits (refused: seconds and peak) and, where it fits in memory, without.
Prints one JSON line.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from lib import tabular
from tests.spreadsheets import huge_string, many_rows, text_row, xlsx

ROOT = Path(__file__).resolve().parent.parent
ROWS = 255_470
LIMITS = "tabular.Limits(max_rows=1_048_575, max_cells=4_000_000, max_part_bytes=200 << 20)"
PROBE = f"""
import json, sys, time
from lib import tabular
limits = {LIMITS} if sys.argv[2] == "limits" else tabular.NO_LIMITS
started = time.perf_counter()
try:
    rows = len(tabular.read_table(sys.argv[1], limits=limits).rows)
    outcome = f"read {{rows}} rows"
except tabular.TableReadError as exc:
    outcome = "refused: " + str(exc)[:70]
seconds = time.perf_counter() - started
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024
print(json.dumps({{"outcome": outcome, "seconds": round(seconds, 3), "peak_mb": peak}}))
"""


def _province(path: Path) -> None:
    rng = random.Random(33)
    columns = [
        tabular.Column(key=f"c{i}", header=h, convert=str)
        for i, h in enumerate(
            ["统计用区划代码", "村名", "年度", "集体经济总收入（元）", "经营性收入（元）",
             "经常性收入（元）", "户籍人口（人）", "户数（户）", "农村居民人均可支配收入（元）", "示例"]
        )
    ]  # fmt: skip
    rows = (
        (
            f"33{n // 10:010d}",
            f"村{n // 10}",
            2014 + n % 10,
            rng.randrange(10**8) / 100,
            rng.randrange(10**8) / 100,
            rng.randrange(10**8) / 100,
            rng.randrange(200, 5000),
            rng.randrange(50, 2000),
            rng.randrange(10**7) / 100,
            "否",
        )
        for n in range(ROWS)
    )
    tabular.write_xlsx(path, columns, rows)


def _probe(path: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), mode],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout)


def main() -> dict:
    header = text_row(1, "统计用区划代码", "村名")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        files = {
            "province_xlsx": tmp / "province.xlsx",
            "gigabyte_shared_string": tmp / "string.xlsx",
            "three_million_rows_xlsx": tmp / "rows.xlsx",
            "three_million_rows_csv": tmp / "rows.csv",
            "two_cells_26_million_apart": tmp / "area.xlsx",
        }
        _province(files["province_xlsx"])
        files["gigabyte_shared_string"].write_bytes(
            xlsx([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], [huge_string(1 << 30)])
        )
        files["three_million_rows_xlsx"].write_bytes(xlsx([header, *many_rows(3_000_000)]))
        files["three_million_rows_csv"].write_bytes(b"a\n" + b"1\n" * 3_000_000)
        files["two_cells_26_million_apart"].write_bytes(
            xlsx([header, b'<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'])
        )
        report: dict = {}
        for name, path in files.items():
            entry = {"file_mb": round(path.stat().st_size / 2**20, 2)}
            entry["limits"] = _probe(path, "limits")
            # The 1 GiB string needs several GiB unguarded: not run without the limits.
            if name != "gigabyte_shared_string":
                entry["no_limits"] = _probe(path, "none")
            report[name] = entry
        province = report["province_xlsx"]
        province["ratio"] = round(
            province["limits"]["seconds"] / province["no_limits"]["seconds"], 3
        )
    return report


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
