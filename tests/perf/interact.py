"""Per-key cost of the planner's interactions: ``python tests/perf/interact.py PLAN --keys N``.

Run by bench.py in a child process per plan size; prints one JSON line.

One headless planner (``make_app`` over an ``ActivityStore``, as ``ctstui`` runs
it), with the frame probe (ctstui/tui/frame_probe.py) recording each frame the
app draws, rendered to the bytes a terminal would get. For each key:

- the key is posted to the app as a terminal's key would be (no Pilot: its
  press/pause force a repaint and wait in 20 ms steps);
- **CPU**: process CPU time (all threads) from posting the key until the app has
  handled everything the key caused (messages drained, screen refreshed, no
  worker running, no frame or layout for a quiet spell), minus the same measure
  of an unbound key (F12) in the same place of the same app (the floor: key
  dispatch and this harness's own waiting);
- **frame**: wall time from posting the key to the last frame drawn in that
  window, i.e. the frame that shows the key's whole effect (a key whose table
  update comes in a later, debounced frame is timed to that frame);
- **layouts**: full-screen layouts (every widget placed again) in that window.

A feature the planner lacks (a screen, a binding) is reported as "n/a (why)".
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plans import TODAY  # noqa: E402

SIZE = (120, 40)
# Seconds without a frame or layout that end a key's window: work an app defers by
# longer than this after its last frame is not counted as the key's.
QUIET = 0.12
UNBOUND = ("f12", None)
KEY_NAMES = {" ": "space", ":": "colon", "[": "left_square_bracket", "]": "right_square_bracket"}


def na(reason: str) -> str:
    return f"n/a ({reason})"


@dataclass
class Sample:
    cpu_s: float  # the process (all threads)
    ui_cpu_s: float  # the app's thread only
    frame_s: float | None  # to the last frame of the key's window
    first_frame_s: float | None
    layouts: int
    overlapped_save: bool = False


class Harness:
    def __init__(self, app, probe, saves: list[tuple[float, float]]) -> None:
        self.app = app
        self.probe = probe
        self.saves = saves  # (when it ended, its CPU) for each save of the plan file

    async def _drained(self, timeout: float = 10.0) -> None:
        """Every message queued so far is handled and the screen has refreshed."""
        app = self.app
        loop = asyncio.get_running_loop()
        futures = []
        # The app, the screen and the focused widget with its ancestors: where a key
        # goes and bubbles. (Not every widget: on a big board that is thousands of
        # messages per wait, which would swamp the figures.) Later work elsewhere
        # shows up as a frame or layout, which the quiet spell waits for.
        nodes = [app]
        try:
            nodes.append(app.screen)
            if app.focused is not None:
                nodes += [n for n in app.focused.ancestors_with_self if n not in nodes]
        except Exception:
            pass
        for node in nodes:
            future = loop.create_future()
            if node.call_later(lambda f=future: f.done() or f.set_result(None)):
                futures.append(future)
        if futures:
            await asyncio.wait(futures, timeout=timeout)
        refreshed = loop.create_future()
        try:
            app.screen.call_after_refresh(lambda: refreshed.done() or refreshed.set_result(None))
        except Exception:
            return
        await asyncio.wait([refreshed], timeout=timeout)

    def _busy(self) -> bool:
        from textual.worker import WorkerState

        return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.app.workers)

    async def settle(self, quiet: float = QUIET, timeout: float = 60.0) -> None:
        """Until the app has done all it will do without another key."""
        deadline = time.perf_counter() + timeout
        probe = self.probe
        while time.perf_counter() < deadline:
            await self._drained()
            seen = (len(probe.frames), probe.layouts)
            await asyncio.sleep(quiet)
            await self._drained()
            if seen == (len(probe.frames), probe.layouts) and not self._busy():
                return
        raise TimeoutError(f"the planner was still busy after {timeout:.0f} s")

    async def key(self, name: str, char: str | None) -> Sample:
        from textual import events

        probe = self.probe
        frames, layouts, saves = len(probe.frames), probe.layouts, len(self.saves)
        cpu, ui_cpu = time.process_time(), time.thread_time()
        start = time.perf_counter()
        self.app.post_message(events.Key(name, char))
        await self.settle()
        cpu, ui_cpu = time.process_time() - cpu, time.thread_time() - ui_cpu
        drawn = probe.frames[frames:]
        saved = self.saves[saves:]
        if saved:
            # The planner's delayed background save ran inside the window (a slow or
            # loaded machine): it is measured on its own (save_ms), so neither its
            # CPU nor the frames it caused (the title's "saved") count as the key's.
            cpu -= sum(save_cpu for _, save_cpu in saved)
            drawn = [t for t in drawn if t < saved[0][0]]
        return Sample(
            cpu_s=cpu,
            ui_cpu_s=ui_cpu,
            frame_s=drawn[-1] - start if drawn else None,
            first_frame_s=drawn[0] - start if drawn else None,
            layouts=probe.layouts - layouts,
            overlapped_save=bool(saved),
        )

    async def type(self, text: str) -> list[Sample]:
        return [await self.key(KEY_NAMES.get(c, c), c) for c in text]

    async def floor(self, count: int) -> list[Sample]:
        return [await self.key(*UNBOUND) for _ in range(count)]

    def quiet_inputs(self) -> None:
        # A blinking cursor draws a frame twice a second; that is not the key's work.
        from textual.widgets import Input

        for widget in self.app.screen.query(Input):
            widget.cursor_blink = False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(name: str, samples: list[Sample], floor: list[Sample], out: dict) -> None:
    """``{name}_cpu_ms``, ``{name}_frame_ms`` (median) and their ``_p95``, net of the floor."""
    base = statistics.median(s.cpu_s for s in floor)
    net = [(s.cpu_s - base) * 1000 for s in samples]
    out[f"{name}_cpu_ms"] = statistics.median(net)
    out[f"{name}_cpu_ms_p95"] = percentile(net, 0.95)
    out[f"{name}_floor_cpu_ms"] = base * 1000
    ui_base = statistics.median(s.ui_cpu_s for s in floor)
    out[f"{name}_ui_cpu_ms"] = statistics.median((s.ui_cpu_s - ui_base) * 1000 for s in samples)
    out[f"{name}_keys_overlapping_a_save"] = sum(s.overlapped_save for s in samples)
    frames = [s.frame_s * 1000 for s in samples if s.frame_s is not None]
    if frames:
        out[f"{name}_frame_ms"] = statistics.median(frames)
        out[f"{name}_frame_ms_p95"] = percentile(frames, 0.95)
        out[f"{name}_first_frame_ms"] = statistics.median(
            s.first_frame_s * 1000 for s in samples if s.first_frame_s is not None
        )
    else:
        out[f"{name}_frame_ms"] = out[f"{name}_frame_ms_p95"] = na("no frame was drawn")
    out[f"{name}_keys"] = len(samples)
    out[f"{name}_keys_without_frame"] = len(samples) - len(frames)
    out[f"{name}_layouts_per_key"] = sum(s.layouts for s in samples) / len(samples)


def fail(out: dict, names: tuple[str, ...], reason: str) -> None:
    for name in names:
        for suffix in ("cpu_ms", "cpu_ms_p95", "frame_ms", "frame_ms_p95"):
            out.setdefault(f"{name}_{suffix}", na(reason))


def _open_store(path: Path):
    from ctstui.store.activity_store import ActivityStore

    try:
        return ActivityStore(path, autosave=False)
    except TypeError:  # the store's options changed: its defaults, then
        return ActivityStore(path)


async def _wait_for_save(path: Path, before: tuple, timeout: float = 30.0) -> bool:
    """Until the planner's background save of the last change has landed (False: it did not)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if _stat(path) not in ((), before):
            return True
        await asyncio.sleep(0.01)
    return False


def _stat(path: Path) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


async def measure(path: Path, keys: int, floor_keys: int) -> dict:
    from ctstui.tui.app import make_app
    from ctstui.tui.frame_probe import FrameProbe, hooks_missing

    out: dict = {}
    names = ("month_switch", "filter", "rag_change", "rag_prompt")
    missing = hooks_missing()
    if missing:
        fail(out, names, "this Textual lacks " + ", ".join(missing))
        return out

    store = _open_store(path)
    gc.freeze()  # as ctstui's run_tui does once the plan is loaded
    app = make_app(store, today=TODAY)
    probe = FrameProbe(app)
    saves: list[tuple[float, float]] = []
    save = getattr(store, "save", None)
    if callable(save):

        def timed_save(*args, **kwargs):
            # runs on the planner's save worker: the CPU of this thread is the save's
            cpu = time.thread_time()
            try:
                return save(*args, **kwargs)
            finally:
                saves.append((time.perf_counter(), time.thread_time() - cpu))

        store.save = timed_save
    async with app.run_test(size=SIZE):
        with probe.installed():
            h = Harness(app, probe, saves)
            await h.settle(quiet=0.3)
            app.clear_notifications()
            await h.settle(quiet=0.3)

            # Month switch, on the calendar (the first screen), forward then back.
            try:
                floor = await h.floor(floor_keys)
                half = max(keys // 2, 1)
                samples = [await h.key("right_square_bracket", "]") for _ in range(half)]
                samples += [await h.key("left_square_bracket", "[") for _ in range(half)]
                summarise("month_switch", samples, floor, out)
            except Exception as exc:
                fail(out, ("month_switch",), f"{type(exc).__name__}: {exc}")

            # Filter keystrokes in the activity list: type a query, then take it back.
            try:
                from textual.widgets import Input

                await h.key("2", "2")
                await h.key("slash", "/")
                # Typed anywhere else, the query's letters are commands (n new, d delete…).
                if not isinstance(app.focused, Input):
                    raise LookupError(f"'/' on the list focused {app.focused!r}, not a text input")
                h.quiet_inputs()
                await h.settle()
                floor = await h.floor(floor_keys)
                query = "lead:SN sport" if keys >= 20 else "sport"
                samples = []
                while len(samples) < keys:
                    samples += await h.type(query)
                    if app.focused is None or getattr(app.focused, "value", None) != query:
                        raise LookupError(f"typing {query!r} into the filter did not reach it")
                    samples += [await h.key("backspace", None) for _ in query]
                summarise("filter", samples, floor, out)
                out["layouts_per_filter_key"] = out.pop("filter_layouts_per_key")
                await h.key("escape", None)
            except Exception as exc:
                fail(out, ("filter",), f"{type(exc).__name__}: {exc}")
                out.setdefault("layouts_per_filter_key", na(f"{type(exc).__name__}: {exc}"))

            # Board: a rating key (the reason line opens), then Enter on the empty line
            # (saved without a reason: the card moves; Escape would cancel the rating).
            # The background save is let land between ratings.
            try:
                await h.key("3", "3")
                floor = await h.floor(floor_keys)
                prompts, commits, saved, rated = [], [], 0, 0
                for i in range(keys):
                    letter = "rag"[i % 3]
                    selected = app.screen.selected_activity()
                    prompts.append(await h.key(letter, letter))
                    before = _stat(store.path)
                    commits.append(await h.key("enter", None))
                    if selected is not None and store.get(selected.id).rag.value[0] == letter:
                        rated += 1
                    saved += await _wait_for_save(store.path, before)
                    await h.settle()
                if not rated:
                    raise LookupError("no rating reached the plan (r, a or g, then Enter)")
                if not saved:
                    raise LookupError("no rating reached the plan file (r, a or g, then Enter)")
                out["rag_change_rated"] = rated
                out["rag_change_saved"] = saved
                summarise("rag_prompt", prompts, floor, out)
                summarise("rag_change", commits, floor, out)
                if saves:
                    out["planner_save_cpu_ms"] = statistics.median(c for _, c in saves) * 1000
            except Exception as exc:
                fail(out, ("rag_prompt", "rag_change"), f"{type(exc).__name__}: {exc}")
    out["frames_drawn"] = len(probe.frames)
    out["frame_bytes"] = probe.frame_bytes
    return out


def measure_store(path: Path, repeat: int) -> dict:
    """The store's save after one change (on a copy), and its load."""
    copy = path.with_name("store-" + path.name)
    shutil.copyfile(path, copy)
    loads, saves = [], []
    try:
        for i in range(repeat):
            start = time.perf_counter()
            store = _open_store(copy)
            loads.append(time.perf_counter() - start)
            first = store.activities()[0]
            store.update(first.copy(notes=f"bench change {i}"))
            start = time.perf_counter()
            store.save()
            saves.append(time.perf_counter() - start)
            store.close()
    except Exception as exc:
        reason = na(f"{type(exc).__name__}: {exc}")
        return {"save_ms": reason, "load_ms": reason}
    finally:
        copy.unlink(missing_ok=True)
    return {
        "save_ms": statistics.median(saves) * 1000,
        "load_ms": statistics.median(loads) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--keys", type=int, default=40, help="keys per interaction")
    parser.add_argument("--floor-keys", type=int, default=30, help="unbound keys per place")
    parser.add_argument("--repeat", type=int, default=5, help="store saves and loads")
    args = parser.parse_args(argv)
    out: dict = {}
    try:
        out.update(asyncio.run(measure(args.plan, args.keys, args.floor_keys)))
    except Exception as exc:
        traceback.print_exc()
        fail(out, ("month_switch", "filter", "rag_change"), f"{type(exc).__name__}: {exc}")
        out.setdefault("layouts_per_filter_key", na(f"{type(exc).__name__}: {exc}"))
    gc.unfreeze()
    out.update(measure_store(args.plan, args.repeat))
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # skip tearing down a large heap


if __name__ == "__main__":
    sys.exit(main())
