"""ctstui's benchmark: ``python tests/perf/bench.py [--sizes 1000,10000,100000] [--quick] [--json FILE]``.

For each size, a plan shaped like the sample plan (tests/perf/plans.py) and a plan
table of as many rows shaped like seed 000, then:

- **cold start**: the ``ctstui`` console script as a whole process in a real
  pseudo-terminal (120x40), from starting it to the first output that draws plan
  data (the title of an activity on the day shown), next to an empty Textual app
  (a header, one line, a footer) measured the same way in the same run; medians,
  after one unmeasured start of each (disk cache);
- **per key** (tests/perf/interact.py, one headless planner in a child process):
  month switch, filter keystroke, board rating; CPU per key net of an unbound
  key's, time from the key to the frame that shows its effect (the frame probe,
  ctstui/tui/frame_probe.py), full-screen layouts per key; median and p95;
- **save** of one change through the store, **import** of the table through
  ``ctstui import`` (whole command; every row checked to have landed),
  **CLI month query** ``ctstui list month:2013-11`` (whole command),
  **export-ics** against a plain icalendar build (tests/perf/bench_ics.py);
- **peak RSS** of a ``ctstui`` process in a pseudo-terminal that drew each screen.

The rating is two keys on the board: ``r``/``a``/``g`` shows the reason prompt
(``rag_prompt_*``), Enter on the empty line saves the rating with no reason and
moves the card (``rag_change_*``, the figures the targets apply to; Escape would
cancel it). The planner's own background save of each
rating is let land between ratings and is not counted in the key's CPU or frame
(it is ``save_ms``, and ``planner_save_cpu_ms`` as the planner ran it).

Wall-clock figures (cold starts, key-to-frame times, commands) grow with the
machine's load, which is printed with the table and stored in the JSON
(``load_avg_before``/``load_avg_after``); CPU figures and layout counts much less.

Figures only: nothing here passes or fails on speed. A measure that cannot be
taken (a feature missing, a command failing) is reported as "n/a (why)".
Everything runs on copies in a temporary folder, with its own HOME.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plans import MARKER_TITLE, TODAY, generate_plan, generate_table  # noqa: E402
from ptyrun import PtyProcess  # noqa: E402

SIZE = (120, 40)
SCREEN_DRAWN = 4000  # bytes: less than a tenth of a 120x40 screen in colour
INTERACTIONS = ("filter", "month_switch", "rag_change")
# The keys the bar reads (every size has each, a number or "n/a (why)").
REQUIRED_KEYS = (
    "cold_start_ratio",
    "cold_start_s",
    "empty_app_cold_start_s",
    *(f"{name}_{what}" for name in INTERACTIONS for what in ("cpu_ms", "frame_ms")),
    *(f"{name}_{what}_p95" for name in INTERACTIONS for what in ("cpu_ms", "frame_ms")),
    "layouts_per_filter_key",
    "import_rows",
    "import_rows_s",
    "import_10k_s",
    "save_ms",
    "export_ratio",
    "rss_mb",
    "cli_month_query_s",
)

EMPTY_APP = f'''
from textual.app import App
from textual.widgets import Footer, Header, Static


class EmptyApp(App):
    def compose(self):
        yield Header()
        yield Static("{MARKER_TITLE}")
        yield Footer()


EmptyApp().run()
'''


def na(reason: str) -> str:
    return f"n/a ({reason})"


class Settings:
    def __init__(self, quick: bool, keys: int, starts: int, import_limit: float = 900) -> None:
        self.quick = quick
        self.import_limit = import_limit
        self.keys = keys or (8 if quick else 40)
        self.floor_keys = max(self.keys * 3 // 4, 3)
        self.starts = starts or (2 if quick else 5)
        self.repeat = 2 if quick else 5


class Bench:
    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.settings = settings
        home = folder / "home"
        home.mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CTSTUI_")}
        # nothing of the user's (keymap, plan) is read or written
        self.env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
        self.env.update(XDG_CONFIG_HOME=str(home / "config"), CTSTUI_USER="bench")
        self.ctstui, self.ctstui_note = console_script()
        self.empty_app = folder / "empty_app.py"
        self.empty_app.write_text(EMPTY_APP, encoding="utf-8")
        self.copies = 0

    def fresh_copy(self, plan: Path) -> Path:
        """A copy of ``plan`` in a folder of its own (each run leaves its own marker files)."""
        self.copies += 1
        folder = self.folder / f"run-{self.copies}"
        folder.mkdir()
        copy = folder / plan.name
        shutil.copyfile(plan, copy)
        return copy

    def discard(self, copy: Path) -> None:
        shutil.rmtree(copy.parent, ignore_errors=True)

    # -- whole processes in a pseudo-terminal ----------------------------------------

    def cold_start(self, argv: list[str], timeout: float) -> tuple[float, float]:
        """Seconds to the plan's marker drawn, and to the first output (a loading screen)."""
        with PtyProcess(argv, size=SIZE, env=self.env) as run:
            seconds = run.wait_for_text(MARKER_TITLE, timeout)
            if seconds is None:
                tail = run.text().split()[-40:]
                raise RuntimeError(
                    f"{MARKER_TITLE!r} not drawn within {timeout:.0f} s; "
                    f"the terminal showed: {' '.join(tail)[-300:]}"
                )
            return seconds, run.first_output_s or seconds

    def planner_argv(self, plan: Path) -> list[str]:
        return [*self.ctstui, "--db", str(plan), "--today", TODAY.isoformat()]

    def measure_cold_start(self, plan: Path, n: int, out: dict) -> None:
        timeout = 60 + n / 1000
        empty, planner, first_output = [], [], []
        try:
            for i in range(self.settings.starts + 1):
                copy = self.fresh_copy(plan)
                try:
                    e, _ = self.cold_start([sys.executable, str(self.empty_app)], 30)
                    p, first = self.cold_start(self.planner_argv(copy), timeout)
                finally:
                    self.discard(copy)
                if i:  # the first of each only warms the disk cache
                    empty.append(e)
                    planner.append(p)
                    first_output.append(first)
        except Exception as exc:
            reason = na(f"{type(exc).__name__}: {exc}")
            for key in ("cold_start_s", "empty_app_cold_start_s", "cold_start_ratio"):
                out[key] = reason
            if empty:
                out["empty_app_cold_start_s"] = statistics.median(empty)
            return
        out["cold_start_s"] = statistics.median(planner)
        out["empty_app_cold_start_s"] = statistics.median(empty)
        out["cold_start_ratio"] = out["cold_start_s"] / out["empty_app_cold_start_s"]
        out["cold_start_s_max"] = max(planner)
        out["cold_start_first_output_s"] = statistics.median(first_output)

    def measure_rss(self, plan: Path, n: int, out: dict) -> None:
        copy = self.fresh_copy(plan)
        try:
            with PtyProcess(self.planner_argv(copy), size=SIZE, env=self.env) as run:
                if run.wait_for_text(MARKER_TITLE, 60 + n / 1000) is None:
                    out["rss_mb"] = na("the planner did not draw its plan")
                    return
                run.wait_quiet(1.0, 10 + n / 5000)
                for key in (b"2", b"3", b"4", b"1"):
                    # On a loaded machine a key sent while a screen is still being
                    # built can go unanswered: a mode key sent twice does no harm.
                    for _ in range(3):
                        run.send(key)
                        if run.wait_quiet(1.0, 15 + n / 2000, at_least=SCREEN_DRAWN):
                            break
                    else:
                        ended = "" if run.process.poll() is None else ", the planner ended"
                        shown = " ".join(run.text().split()[-40:])[-300:]
                        out["rss_mb"] = na(
                            f"nothing was drawn after key {key.decode()}{ended}; "
                            f"the terminal showed: {shown}"
                        )
                        return
                rss = run.peak_rss_mb()
                out["rss_mb"] = rss if rss is not None else na("no /proc/PID/status here")
        except Exception as exc:
            out["rss_mb"] = na(f"{type(exc).__name__}: {exc}")
        finally:
            self.discard(copy)

    # -- commands --------------------------------------------------------------------

    def command(self, args: list[str], timeout: float) -> tuple[float, str]:
        start = time.perf_counter()
        result = subprocess.run(
            [*self.ctstui, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(
                f"ctstui {args[0]} exited with {result.returncode}: {result.stderr.strip()[-300:]}"
            )
        return elapsed, result.stdout

    def measure_cli_query(self, plan: Path, out: dict) -> None:
        args = ["list", "month:2013-11", "--db", str(plan), "--today", TODAY.isoformat()]
        try:
            times = []
            for i in range(self.settings.repeat + 1):
                elapsed, listing = self.command(args, 300)
                if MARKER_TITLE not in listing:
                    raise RuntimeError(f"the listing of 2013-11 does not show {MARKER_TITLE!r}")
                if i:
                    times.append(elapsed)
            out["cli_month_query_s"] = statistics.median(times)
        except Exception as exc:
            out["cli_month_query_s"] = na(f"{type(exc).__name__}: {exc}")

    def measure_import(self, n: int, out: dict) -> None:
        table = self.folder / f"table-{n}.tsv"
        generate_table(n, table)
        target = self.folder / f"import-{n}" / "plan.json"
        target.parent.mkdir()
        out["import_rows"] = n
        limit = min(
            120 + n / 50 if self.settings.quick else 300 + n / 20, self.settings.import_limit
        )
        try:
            elapsed, _ = self.command(
                ["import", "--db", str(target), "--plan-year", "2013/14", str(table)], limit
            )
            _, listing = self.command(["list", "--db", str(target), "--format", "json"], 300)
            landed = len(json.loads(listing))
            if landed != n:
                out["import_rows_s"] = na(f"{landed} of {n} rows landed in the plan")
            else:
                out["import_rows_s"] = elapsed
        except subprocess.TimeoutExpired:
            out["import_rows_s"] = na(f"not finished after {limit:.0f} s")
        except Exception as exc:
            out["import_rows_s"] = na(f"{type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(target.parent, ignore_errors=True)
        out["import_10k_s"] = (
            out["import_rows_s"] if n == 10_000 else na(f"this size imports {n:,} rows")
        )

    # -- in a child process ----------------------------------------------------------

    def measure_interactions(self, plan: Path, n: int, out: dict) -> None:
        copy = self.fresh_copy(plan)
        s = self.settings
        argv = [sys.executable, str(HERE / "interact.py"), str(copy)]
        argv += ["--keys", str(s.keys), "--floor-keys", str(s.floor_keys)]
        argv += ["--repeat", str(s.repeat)]
        try:
            result = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                env=self.env,
                timeout=600 + n / 50,
                check=False,
            )
            lines = result.stdout.strip().splitlines()
            if result.returncode != 0 or not lines:
                raise RuntimeError(f"exit {result.returncode}: {result.stderr.strip()[-600:]}")
            out.update(json.loads(lines[-1]))
            if result.stderr.strip():
                out["interaction_errors"] = result.stderr.strip()[-600:]
        except Exception as exc:
            reason = na(f"the planner child failed: {type(exc).__name__}: {exc}")
            for key in REQUIRED_KEYS:
                if key.startswith(INTERACTIONS) or key in ("layouts_per_filter_key", "save_ms"):
                    out.setdefault(key, reason)
        finally:
            self.discard(copy)

    def measure_export(self, n: int, out: dict) -> None:
        try:
            from bench_ics import measure_export

            export = measure_export(n)
            out["export_ratio"] = export["ratio"]
            out["export_s"] = export["fast_s"]
            out["export_baseline_s"] = export["baseline_s"]
            if not export["identical"]:
                out["export_note"] = "the fast export's bytes differ from the plain build's"
        except Exception as exc:
            out["export_ratio"] = na(f"{type(exc).__name__}: {exc}")

    def measure_size(self, n: int, progress: Callable[[str], None]) -> dict:
        out: dict = {"activities": n, "load_avg_before": load_average()}
        plan = self.folder / f"plan-{n}.json"
        start = time.perf_counter()
        generate_plan(n, plan)
        out["generate_s"] = time.perf_counter() - start
        out["file_mb"] = plan.stat().st_size / 1e6
        steps = (
            ("cold start", lambda: self.measure_cold_start(plan, n, out)),
            ("keys", lambda: self.measure_interactions(plan, n, out)),
            ("peak RSS", lambda: self.measure_rss(plan, n, out)),
            ("CLI month query", lambda: self.measure_cli_query(plan, out)),
            ("import", lambda: self.measure_import(n, out)),
            ("export", lambda: self.measure_export(n, out)),
        )
        for label, step in steps:
            progress(f"  {label}…")
            started = time.perf_counter()
            step()
            out[f"bench_{label.replace(' ', '_').lower()}_s"] = time.perf_counter() - started
        for key in REQUIRED_KEYS:
            out.setdefault(key, na("not measured"))
        out["load_avg_after"] = load_average()
        out["machine"] = machine()
        if self.ctstui_note:
            out["note"] = self.ctstui_note
        return out


def console_script() -> tuple[list[str], str]:
    """The installed ``ctstui`` command, as a user runs it."""
    beside = Path(sys.executable).parent / "ctstui"
    if beside.is_file():
        return [str(beside)], ""
    found = shutil.which("ctstui")
    if found:
        return [found], ""
    return [sys.executable, "-m", "ctstui"], "no ctstui console script found: ran python -m ctstui"


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "unknown"


def machine() -> str:
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:
        textual = "?"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Textual {textual}"
    )


# -- the table -----------------------------------------------------------------------------

ROWS = [
    ("cold_start_ratio", "cold start / empty app (real terminal)", "{:.2f}x", "≤ 2.0x", "≤ 4x"),
    ("cold_start_s", "ctstui cold start to plan drawn", "{:.3f} s", "", ""),
    ("empty_app_cold_start_s", "empty Textual app cold start", "{:.3f} s", "", ""),
    ("cold_start_first_output_s", "ctstui start to its first output", "{:.3f} s", "", ""),
    ("filter_cpu_ms", "filter key CPU, median", "{:.1f} ms", "≤ 12 ms", ""),
    ("filter_cpu_ms_p95", "filter key CPU, p95", "{:.1f} ms", "", ""),
    ("filter_frame_ms", "filter key to frame, median", "{:.1f} ms", "≤ 35 ms", "≤ 60 ms"),
    ("filter_frame_ms_p95", "filter key to frame, p95", "{:.1f} ms", "", ""),
    ("layouts_per_filter_key", "full-screen layouts per filter key", "{:.2f}", "0", ""),
    ("month_switch_cpu_ms", "month switch CPU, median", "{:.1f} ms", "≤ 12 ms", ""),
    ("month_switch_cpu_ms_p95", "month switch CPU, p95", "{:.1f} ms", "", ""),
    ("month_switch_frame_ms", "month switch to frame, median", "{:.1f} ms", "≤ 35 ms", "≤ 60 ms"),
    ("month_switch_frame_ms_p95", "month switch to frame, p95", "{:.1f} ms", "", ""),
    ("rag_change_cpu_ms", "rating (Enter: card moves) CPU, median", "{:.1f} ms", "≤ 12 ms", ""),
    ("rag_change_cpu_ms_p95", "rating CPU, p95", "{:.1f} ms", "", ""),
    ("rag_change_frame_ms", "rating to frame, median", "{:.1f} ms", "≤ 35 ms", "≤ 60 ms"),
    ("rag_change_frame_ms_p95", "rating to frame, p95", "{:.1f} ms", "", ""),
    ("rag_prompt_frame_ms", "rating key to reason prompt, median", "{:.1f} ms", "", ""),
    ("filter_floor_cpu_ms", "(unbound key CPU, subtracted)", "{:.1f} ms", "", ""),
    ("save_ms", "store save after one change", "{:.1f} ms", "≤ 50 ms", ""),
    ("load_ms", "store load", "{:.1f} ms", "", ""),
    ("import_rows_s", "ctstui import of N table rows", "{:.2f} s", "≤ 3 s", ""),
    ("cli_month_query_s", "ctstui list month:2013-11", "{:.3f} s", "", ""),
    ("export_ratio", "export-ics / plain icalendar build", "{:.2f}x", "≤ 0.5x", ""),
    ("rss_mb", "peak RSS, planner on each screen", "{:.0f} MB", "", "≤ 350 MB"),
    ("file_mb", "plan file size", "{:.1f} MB", "", ""),
]


def cell(value, fmt: str) -> str:
    if isinstance(value, int | float):
        return fmt.format(value)
    return "n/a" if value is None or str(value).startswith("n/a") else str(value)


def print_table(results: dict[int, dict], out=sys.stdout) -> None:
    sizes = sorted(results)
    some = results[sizes[0]]
    print(
        f"ctstui benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {some['machine']}, "
        f"load average {some['load_avg_before']} (1, 5, 15 min) at the start",
        file=out,
    )
    width = 40
    header = f"{'measure':<{width}}" + "".join(f"{n:>12,}" for n in sizes)
    header += "   target 10k   target 100k"
    print(header, file=out)
    print("-" * len(header), file=out)
    for key, label, fmt, target, target_100k in ROWS:
        cells = "".join(f"{cell(results[n].get(key), fmt):>12}" for n in sizes)
        print(f"{label:<{width}}{cells}   {target:<12} {target_100k}", file=out)
    notes = []
    for n in sizes:
        for key in sorted(results[n]):
            value = results[n][key]
            if (
                isinstance(value, str)
                and value.startswith("n/a")
                and key in dict.fromkeys(r[0] for r in ROWS)
            ):
                notes.append(f"  {n:,} {key}: {value}")
    if notes:
        print("not measured:", file=out)
        print("\n".join(dict.fromkeys(notes)), file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="plan sizes, comma-separated")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="fewer keys and starts (CI smoke)")
    parser.add_argument("--keys", type=int, default=0, help="keys per interaction")
    parser.add_argument("--starts", type=int, default=0, help="cold starts of each program")
    parser.add_argument(
        "--import-limit",
        type=float,
        default=900,
        metavar="SECONDS",
        help="give up (n/a) on an import that takes longer",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    settings = Settings(args.quick, args.keys, args.starts, args.import_limit)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ctstui-bench-") as folder:
        bench = Bench(Path(folder), settings)
        for n in sizes:
            progress(f"measuring {n:,} activities (load average {load_average()})…")
            results[n] = bench.measure_size(n, progress)
            if args.json:  # written after each size: a long run keeps what it measured
                write_json(Path(args.json), results)
    print_table(results)
    return 0


def write_json(path: Path, results: dict[int, dict]) -> None:
    text = json.dumps({str(n): r for n, r in results.items()}, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
