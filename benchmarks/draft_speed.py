"""Time `python -m analysis draft` on generated texts, old code against new, in one run.

    .venv/bin/python benchmarks/draft_speed.py [--old REV] [--sizes 100k,1M,10M]
        [--shapes lines,one-line,repeated] [--timeout 120]

Texts are generated (seeded, the same every run) in four shapes, each at every size:

  report     paragraphs of report prose, one a line, about one sentence in three with
             figures drawn from a pool of Vietnamese report sentences (ratios, percents,
             "trong đó" parts, parentheses, "còn", "so với", dates, document numbers, ages)
             with fresh numbers: about a figure every 200 bytes (the seed documents have one
             every 300 to 1,000)
  lines      only the figure sentences, one a line: a figure every 35 bytes
  one-line   the same with no line break at all (a PDF converted badly)
  repeated   one sentence repeated, the same phrase every time (every figure id the same
             slug, so the id suffixes climb to the number of rows)

Each version drafts each text in a fresh process (`draft_text`, the command's work without
the CSV writing); a run past --timeout is stopped and shown as "> timeout". The old version
is the drafting package at --old (default: the commit before drafting was made linear),
read from git into a temporary folder; the rest of the project is this checkout's. Both
versions' rows are compared on every text both finish: "same rows" says whether the new
code proposes exactly what the old did. Time is wall time and CPU time of the drafting
alone, after a warm-up draft of one sentence that loads the word lists (and, in the new
code, the province names of the admin-unit libraries: its CPU time is printed at the end);
the machine is shared, so CPU time is the steadier of the two; the ratio is old / new CPU
time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
OLD_DEFAULT = "215e004"  # main before the linear drafting (issue 19, item 9)
PACKAGE = "src/analysis/draft"
SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}

# {a} < {b} are counts, {p} a percent of them, {d} a day, {m} a month, {y} a year.
SENTENCES = [
    "Đã cấp {a}/{b} thẻ căn cước cho công dân từ đủ 14 tuổi, đạt {p}%.",
    "Thu nhận {b} hồ sơ cấp căn cước, trong đó trực tuyến {a} hồ sơ, đạt {p}%.",
    "Kích hoạt {a} tài khoản định danh điện tử mức độ 2, đạt tỷ lệ {p}% so với {b} công dân.",
    "Tính đến ngày {d}/{m}/{y}, toàn huyện tiếp nhận {b} hồ sơ trực tuyến.",
    "Có {a} thôn trên tổng số {b} thôn đã có điểm hỗ trợ (cấp huyện {c} điểm, cấp xã {e} điểm).",
    "Thực hiện Kế hoạch số {c}/KH-UBND ngày {d}/{m}/{y}, đã số hóa {a}/{b} hồ sơ; còn {e} hồ sơ.",
    "Chi trả an sinh xã hội không dùng tiền mặt cho {a} đối tượng, kinh phí gần {c},5 tỷ đồng.",
    "Trong tháng {m}/{y}, xác thực {b} hồ sơ; tỷ lệ xác thực tăng {p}% so với tháng trước.",
    "Tiếp nhận {b} hồ sơ; trong đó {a} hồ sơ đúng hạn, {e} hồ sơ trễ hạn.",
    "Phấn đấu đến cuối năm đạt {p}% tài khoản được kích hoạt.",
    "Có trên {a} hộ gia đình dùng ví điện tử, hơn {p}% người cao tuổi nhận trợ cấp qua tài khoản.",
    "Cập nhật {a} trường hợp sai lệch thông tin công dân theo Công văn {c} của Công an tỉnh.",
]
PROSE = [
    "Công an huyện phối hợp với các xã tuyên truyền, hướng dẫn người dân cài đặt và sử dụng "
    "ứng dụng VNeID.",
    "Tổ công tác triển khai Đề án 06 tiếp tục rà soát, làm sạch dữ liệu dân cư trên địa bàn.",
    "Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành đẩy mạnh cung cấp dịch vụ công trực tuyến.",
    "Một số khó khăn về hạ tầng kỹ thuật và đường truyền vẫn chưa được khắc phục triệt để.",
    "Các đơn vị đã bố trí cán bộ hướng dẫn tại bộ phận một cửa, hỗ trợ người cao tuổi.",
    "Việc kết nối, chia sẻ dữ liệu giữa các hệ thống thông tin còn chậm, chưa đồng bộ.",
    "Thời gian tới, huyện tiếp tục quán triệt, nâng cao nhận thức của cán bộ và nhân dân.",
    "Tổ công tác cấp xã duy trì họp giao ban định kỳ, kịp thời tháo gỡ vướng mắc.",
]
REPEATED = "Đã cấp {a} thẻ căn cước cho công dân."


def _vi(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _sentence(template: str, rng: random.Random) -> str:
    b = rng.randint(1_000, 99_999)
    a = rng.randint(100, b)
    percent = f"{100 * a / b:.2f}".replace(".", ",")
    return template.format(a=_vi(a), b=_vi(b), c=rng.randint(2, 99), e=rng.randint(2, 99),
                           p=percent, d=rng.randint(1, 28), m=rng.randint(1, 12),
                           y=rng.randint(2022, 2025))


def generate(shape: str, size: int, seed: int = 6) -> str:
    """A text of `size` UTF-8 bytes or a little more, in the given shape."""
    rng = random.Random(f"{shape}-{size}-{seed}")
    parts: list[str] = []
    total = 0
    while total < size:
        if shape == "report":
            sentences = [_sentence(rng.choice(SENTENCES), rng) if rng.random() < 0.35
                         else rng.choice(PROSE) for _ in range(rng.randint(2, 6))]
            part = " ".join(sentences)
        else:
            part = _sentence(REPEATED if shape == "repeated" else rng.choice(SENTENCES), rng)
        parts.append(part)
        total += len(part.encode("utf-8")) + 1
    return (" " if shape == "one-line" else "\n").join(parts) + "\n"


def old_package(revision: str, folder: Path) -> Path:
    """The drafting package at `revision`, as the importable package `draft_old`."""
    package = folder / "draft_old"
    package.mkdir(parents=True)
    # The package's modules as they were at `revision` (modules come and go with splits).
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{revision}:{PACKAGE}"],
        check=True, capture_output=True, text=True).stdout.split()
    modules = [name for name in listed if name.endswith(".py")]
    if "draft.py" not in modules:
        sys.exit(f"error: --old {revision}: {PACKAGE}/draft.py is not in that revision")
    for module in modules:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{PACKAGE}/{module}"],
            check=True, capture_output=True, text=True).stdout
        (package / module).write_text(source.replace("analysis.draft.", "draft_old."),
                                      encoding="utf-8")
    return folder


RUN = """
import json, sys, time
sys.path[:0] = [{src!r}, {old!r}]
from {module} import draft_text
text = open({text!r}, encoding="utf-8").read()
# One-time loading (word lists, the province names of the admin-unit libraries) on a short
# text first, timed apart: what is compared is the drafting.
wall, cpu = time.perf_counter(), time.process_time()
draft_text("Đã cấp 5 thẻ.", "xx-2099-01", "binh-dinh", "vi")
setup = time.process_time() - cpu
wall, cpu = time.perf_counter(), time.process_time()
draft = draft_text(text, "xx-2099-01", "binh-dinh", "vi")
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
with open({rows!r}, "w", encoding="utf-8") as out:
    json.dump([draft.rows, [[s.line, s.text, s.reason] for s in draft.skipped]], out)
print(json.dumps({{"wall": wall, "cpu": cpu, "rows": len(draft.rows), "setup": setup}}))
"""


def run(version: str, text: Path, rows: Path, old_root: Path, timeout: float) -> dict | None:
    module = "draft_old.draft" if version == "old" else "analysis.draft.draft"
    code = RUN.format(src=str(ROOT / "src"), old=str(old_root), module=module, text=str(text),
                      rows=str(rows))
    try:
        done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                              timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seconds(result: dict | None, key: str) -> str:
    return f"{result[key]:.1f} s" if result else "> timeout"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default=OLD_DEFAULT, help="git revision of the old code")
    parser.add_argument("--sizes", default="100k,1M,10M", help=f"of {', '.join(SIZES)}")
    parser.add_argument("--shapes", default="report,lines,one-line,repeated")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before a run is stopped (the old code, mostly)")
    args = parser.parse_args()
    print(f"# draft speed, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"old = {args.old}, load average {os.getloadavg()[0]:.1f}")
    print("| text | size | rows | old wall | old CPU | new wall | new CPU | old / new CPU "
          "| same rows |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    setups: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_root = old_package(args.old, folder / "old")
        for shape in args.shapes.split(","):
            old_timed_out = False
            for size_name in args.sizes.split(","):
                text = folder / f"{shape}-{size_name}.txt"
                text.write_text(generate(shape, SIZES[size_name]), encoding="utf-8")
                new_rows, old_rows = folder / "new.json", folder / "old.json"
                new = run("new", text, new_rows, old_root, args.timeout)
                # Past one timeout, a larger text can only time out again: not run.
                old = None if old_timed_out else run("old", text, old_rows, old_root,
                                                     args.timeout)
                old_wall = _seconds(old, "wall") if old or not old_timed_out else "not run"
                old_cpu = _seconds(old, "cpu") if old or not old_timed_out else "not run"
                if old and new:
                    ratio = f"{old['cpu'] / new['cpu']:.1f}×"
                    same = "yes" if _digest(old_rows) == _digest(new_rows) else "**no**"
                elif new and not old_timed_out:
                    ratio = f"> {args.timeout / new['wall']:.0f}× (wall)"
                    same = "(old did not finish)"
                else:
                    ratio = "" if not new else "(old timed out on a smaller text)"
                    same = "" if new else "(new did not finish)"
                old_timed_out = old_timed_out or old is None
                rows = f"{new['rows']:,}" if new else ""
                if new:
                    setups.append(new["setup"])
                print(f"| {shape} | {size_name} | {rows} | {old_wall} | {old_cpu} | "
                      f"{_seconds(new, 'wall')} | {_seconds(new, 'cpu')} | {ratio} | {same} |",
                      flush=True)
                text.unlink()
    if setups:
        print(f"one-time loading before the first draft (new code, CPU): "
              f"{min(setups):.1f}-{max(setups):.1f} s")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
