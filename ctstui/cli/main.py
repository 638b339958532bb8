"""The ``ctstui`` command: the TUI by default, subcommands for scripts."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ctstui import __version__
from ctstui.cli import COMMANDS
from ctstui.cli.context import CliError, Context, parse_today
from ctstui.store.activity_store import ActivityStore, FileChangedError, StoreError


def _common_options(*, top: bool) -> argparse.ArgumentParser:
    # Subcommands repeat the options but must not reset what was given before
    # the command name (argparse would overwrite it with their default).
    default = None if top else argparse.SUPPRESS
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="plan file (default: $CTSTUI_DB, else plan.json in your data folder)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="work on a scratch copy of the bundled sample plan",
    )
    common.add_argument(
        "--today",
        metavar="DATE",
        default=default,
        help="treat DATE (YYYY-MM-DD) as today (also $CTSTUI_TODAY)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(top=True)
    sub_common = _common_options(top=False)
    parser = argparse.ArgumentParser(
        prog="ctstui",
        description="A keyboard-driven planner for culture, tourism and sport improvement "
        "programmes. With no command, opens the planner.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ctstui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"ctstui.cli.{name}")
        command = sub.add_parser(
            module.NAME, help=module.HELP, description=module.HELP, parents=[sub_common]
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        # "-status:tbc" looks like an option to argparse; for a command whose
        # positional arguments are a query, it is a negated query term.
        if isinstance(getattr(args, "query", None), list) and all(
            e.startswith("-") and not e.startswith("--") for e in extras
        ):
            args.query.extend(extras)
        else:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
    try:
        ctx = Context(db=args.db, demo=args.demo, today=parse_today(args.today))
        if getattr(args, "run", None) is None:
            return run_tui(ctx)
        return args.run(args, ctx)
    except FileChangedError as exc:
        print(f"ctstui: {exc}; nothing was written: run the command again", file=sys.stderr)
        return 2
    except (CliError, StoreError) as exc:
        print(f"ctstui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def keymap_path() -> Path:
    """``$XDG_CONFIG_HOME/ctstui/keymap.json``: {"binding id": "keys"} to remap keys."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(base) / "ctstui" / "keymap.json"


def run_tui(ctx: Context) -> int:
    from ctstui.tui.app import load_keymap, make_app

    opened: list[ActivityStore] = []

    def open_plan() -> ActivityStore:  # in the planner's worker, after its first paint
        store = ctx.open_store(autosave=False, session=True)
        opened.append(store)
        # The plan's objects live as long as the planner: keep the cyclic collector
        # from re-scanning them (100k activities are millions of objects) mid-keystroke.
        gc.freeze()
        return store

    app = make_app(open_plan, today=ctx.today, keymap=load_keymap(keymap_path()))
    try:
        app.run()
    finally:
        for store in opened:
            store.close()  # the "in use" marker goes, however the app ended
    if app.load_error is not None:
        raise app.load_error  # a refused file: reported by main() as before (status 2)
    if ctx.demo and opened:
        print(f"ctstui: the demo plan was a scratch copy at {opened[0].path}", file=sys.stderr)
    return app.return_code or 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
