"""ctstui's benchmark: ``python tests/perf/bench.py [--sizes 1000,10000,100000] [--json FILE]``.

Generates realistic plans (the sample plan's mix of kinds, fuzzy dates, reviews
and history, scaled), then measures, each size in a fresh child process:

- start-up to the first full paint of the TUI on the calendar and on the list
  (headless ``run_test``), next to an empty Textual app measured in the same
  process (the floor), as ratios;
- filter keystroke to updated list, month switch, board RAG change (UI work
  only: the save runs in a worker), median and p95;
- the store's save after one change, and the load of the file;
- ``export-ics`` of all confirmed events next to a straightforward
  one-Event-at-a-time icalendar build (tests/perf/bench_ics.py);
- peak RSS of the TUI process.

Figures only: nothing here passes or fails on speed (these machines are noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TODAY = date(2013, 11, 5)
SIZE = (120, 40)


# -- generating plans ------------------------------------------------------------------


def generate_plan(n: int, path: Path, seed: int = 8) -> None:
    """A plan of ``n`` activities shaped like the sample plan, across the years.

    Written straight as the store's JSON (a bulk load, not n separate saves).
    """
    from ctstui.cli.context import sample_plan_path
    from ctstui.domain.dates import DateSpec
    from ctstui.domain.model import HistoryEntry, Rag, RagReview
    from ctstui.store.activity_store import APP_NAME, SCHEMA_VERSION, ActivityStore

    rng = random.Random(seed)
    templates = ActivityStore(sample_plan_path()).activities()
    rags = list(Rag)
    activities = {}
    for i in range(n):
        base = rng.choice(templates)
        years = rng.randrange(-8, 3)  # a decade of plans in one file
        shift = timedelta(days=round(365.25 * years))
        when = base.when
        if when.start or when.end:
            when = DateSpec(
                text=when.text,
                start=when.start + shift if when.start else None,
                end=when.end + shift if when.end else None,
                precision=when.precision,
                options=tuple(d + shift for d in when.options),
            )
        stamp = (datetime(2013, 6, 1, tzinfo=UTC) + timedelta(minutes=i)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        rating = rng.choice(rags)
        reviews = (
            [RagReview(TODAY - timedelta(days=rng.randrange(400)), rating, "progress", "JW")]
            if rating is not Rag.UNRATED
            else []
        )
        history = [
            HistoryEntry(stamp, "bench", "import", {}),
            HistoryEntry(stamp, "bench", "edit", {"status": ["tbc", base.status.value]}),
        ]
        activity = replace(
            base.copy(),
            id=f"{i:08d}-0000-4000-8000-{rng.getrandbits(48):012x}",
            title=f"{base.title} {i}" if rng.random() < 0.5 else base.title,
            when=when,
            rag=rating,
            reviews=reviews,
            history=history,
            created=stamp,
            updated=stamp,
            revision=2,
        )
        activities[str(i + 1)] = activity.to_dict()
    data = {
        "_meta": {"1": {"app": APP_NAME, "schema": SCHEMA_VERSION, "plan_year": "2013/14"}},
        "activities": activities,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# -- measuring (in a child process per size) ---------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def paint_time(make, mode: str | None = None) -> float:
    """Seconds from building the app to its first full paint (headless)."""
    start = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        if mode:
            await pilot.press({"activities": "2", "board": "3"}[mode])
        await pilot.pause()
        elapsed = time.perf_counter() - start
    return elapsed


async def child(path: Path, repeat: int) -> dict:
    from textual.app import App
    from textual.widgets import Footer, Header

    from ctstui.store.activity_store import ActivityStore
    from ctstui.tui.app import make_app

    class EmptyApp(App):
        def compose(self):
            yield Header()
            yield Footer()

    def planner():
        # As ctstui's run_tui: load the plan, freeze it out of the GC's sight, build the app.
        store = ActivityStore(path, autosave=False)
        gc.freeze()
        return make_app(store, today=TODAY)

    out: dict = {}
    await paint_time(EmptyApp)  # warm imports and caches for both sides
    await paint_time(planner)
    empty = [await paint_time(EmptyApp) for _ in range(repeat)]
    calendar = [await paint_time(planner) for _ in range(repeat)]
    listing = [await paint_time(planner, "activities") for _ in range(repeat)]
    out["empty_s"] = statistics.median(empty)
    out["startup_s"] = statistics.median(calendar)
    out["startup_ratio"] = out["startup_s"] / out["empty_s"]
    out["startup_list_s"] = statistics.median(listing)
    out["startup_list_ratio"] = out["startup_list_s"] / out["empty_s"]

    store = ActivityStore(path, autosave=False)
    gc.freeze()  # as ctstui's run_tui does once the plan is loaded
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        async def timed(key: str) -> float:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            return time.perf_counter() - start

        # The floor: Pilot's own cost of a key press that does nothing (an
        # unbound key), measured in this app; UI figures are net of it.
        noop = [await timed("f12") for _ in range(repeat * 4)]
        floor = statistics.median(noop)
        out["pilot_floor_ms"] = floor * 1000
        # month switch
        months = []
        for key in ["right_square_bracket"] * (repeat * 4) + ["left_square_bracket"] * (repeat * 4):
            months.append(await timed(key) - floor)
        # filter keystrokes
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("slash")
        filters = []
        for key in [*"lead:SN sport", *["backspace"] * 13] * max(repeat // 2, 1):
            filters.append(await timed(key) - floor)
        # board RAG change (the prompt is dismissed without a note: UI work only)
        await pilot.press("escape", "3")
        await pilot.pause()
        rags = []
        for key in ["r", "a", "g"] * repeat:
            # the key (rating changed, prompt shown) and Escape (no note) both count
            rags.append(await timed(key) + await timed("escape") - 2 * floor)
    out["month_switch_ms_median"] = statistics.median(months) * 1000
    out["month_switch_ms_p95"] = percentile(months, 0.95) * 1000
    out["filter_ms_median"] = statistics.median(filters) * 1000
    out["filter_ms_p95"] = percentile(filters, 0.95) * 1000
    out["rag_change_ms_median"] = statistics.median(rags) * 1000
    out["rag_change_ms_p95"] = percentile(rags, 0.95) * 1000

    # the store on its own (on a copy: the app's last save may still be running)
    copy = path.with_name("store-" + path.name)
    copy.write_bytes(path.read_bytes())
    path = copy
    loads, saves = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        store = ActivityStore(path, autosave=False)
        loads.append(time.perf_counter() - start)
        first = store.activities()[0]
        store.update(first.copy(notes=f"bench {time.time()}"))
        start = time.perf_counter()
        store.save()
        saves.append(time.perf_counter() - start)
    out["load_ms"] = statistics.median(loads) * 1000
    out["save_ms"] = statistics.median(saves) * 1000
    return out


async def child_rss(path: Path) -> dict:
    """Peak RSS of one planner process: open the plan, paint each screen once."""
    from ctstui.store.activity_store import ActivityStore
    from ctstui.tui.app import make_app

    app = make_app(ActivityStore(path, autosave=False), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("2", "3", "4", "1"):
            await pilot.press(key)
            await pilot.pause()
    return {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_size(n: int, repeat: int, folder: Path) -> dict:
    from bench_ics import measure_export

    path = folder / f"plan-{n}.json"
    start = time.perf_counter()
    generate_plan(n, path)
    generated = time.perf_counter() - start
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"benchmark child failed at {n}:\n{result.stderr[-4000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    rss = subprocess.run(
        [sys.executable, __file__, "--child-rss", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if rss.returncode != 0:
        raise SystemExit(f"benchmark RSS child failed at {n}:\n{rss.stderr[-4000:]}")
    figures.update(json.loads(rss.stdout.strip().splitlines()[-1]))
    export = measure_export(n)
    figures["export_s"] = export["fast_s"]
    figures["export_baseline_s"] = export["baseline_s"]
    figures["export_ratio"] = export["ratio"]
    figures["file_mb"] = path.stat().st_size / 1e6
    figures["generate_s"] = generated
    return figures


ROWS = [
    ("startup_ratio", "start-up (calendar) / empty app", "{:.2f}x", "≤ 1.3x"),
    ("startup_list_ratio", "start-up (list) / empty app", "{:.2f}x", "≤ 1.3x"),
    ("empty_s", "empty Textual app, first paint", "{:.3f} s", ""),
    ("startup_s", "ctstui first paint (calendar)", "{:.3f} s", ""),
    ("filter_ms_median", "filter keystroke, median", "{:.1f} ms", "≤ 30 ms"),
    ("filter_ms_p95", "filter keystroke, p95", "{:.1f} ms", ""),
    ("month_switch_ms_median", "month switch, median", "{:.1f} ms", "≤ 30 ms"),
    ("month_switch_ms_p95", "month switch, p95", "{:.1f} ms", ""),
    ("rag_change_ms_median", "board RAG change, median", "{:.1f} ms", "≤ 30 ms"),
    ("pilot_floor_ms", "(Pilot floor per key, subtracted)", "{:.1f} ms", ""),
    ("save_ms", "store save after one change", "{:.1f} ms", "≤ 150 ms"),
    ("load_ms", "store load", "{:.1f} ms", ""),
    ("export_ratio", "export-ics / plain icalendar build", "{:.2f}x", "≤ 0.5x"),
    ("export_s", "export-ics of confirmed events", "{:.3f} s", ""),
    ("rss_mb", "peak RSS, planner on each screen", "{:.0f} MB", "≤ 400 MB at 100k"),
    ("file_mb", "plan file size", "{:.1f} MB", ""),
]


def print_table(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    print(
        f"ctstui benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    header = f"{'measure':<38}" + "".join(f"{n:>12,}" for n in sizes) + "   target (10k)"
    print(header)
    print("-" * len(header))
    for key, label, fmt, target in ROWS:
        cells = "".join(f"{fmt.format(results[n][key]):>12}" for n in sizes)
        print(f"{label:<38}{cells}   {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke run)")
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--child", metavar="PLAN", help=argparse.SUPPRESS)
    parser.add_argument("--child-rss", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 5)
    if args.child_rss:
        print(json.dumps(asyncio.run(child_rss(Path(args.child_rss)))))
        return 0
    if args.child:
        print(json.dumps(asyncio.run(child(Path(args.child), repeat))))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = {}
    with tempfile.TemporaryDirectory(prefix="ctstui-bench-") as folder:
        for n in sizes:
            print(f"measuring {n:,} activities…", file=sys.stderr, flush=True)
            results[n] = measure_size(n, repeat, Path(folder))
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps({str(n): r for n, r in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
