"""The ``ctstui`` command: the TUI by default, subcommands for scripts."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from types import ModuleType

from ctstui import __version__
from ctstui.cli import COMMANDS, CommandSpec
from ctstui.cli.context import CliError, Context, parse_today
from ctstui.domain.text import printable_lines
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


def load_command(spec: CommandSpec) -> ModuleType:
    return importlib.import_module(f"ctstui.cli.{spec.module}")


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the modules of the commands named in ``load`` (default:
    all) imported and their options added.

    ``main`` loads only the command it runs: every other one is listed by name
    and summary only, so running one command never imports the others (nor
    what they import).
    """
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
    for spec in COMMANDS:
        if load is not None and spec.name not in load:
            # A placeholder: takes whatever follows, to be parsed once the command is known.
            sub.add_parser(spec.name, help=spec.summary, parents=[sub_common], add_help=False)
            continue
        module = load_command(spec)
        parsed = sub.add_parser(
            spec.name, help=spec.summary, description=module.HELP, parents=[sub_common]
        )
        module.add_arguments(parsed)
        parsed.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the planner or a command; exit status 0 when the reader closed our output early."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        # ``ctstui list | head``: the reader has what it wanted.  Point stdout at
        # /dev/null so the interpreter's own final flush does not complain either.
        _quiet_closed_stdout()
        return 0


def _quiet_closed_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (e.g. captured in a test)
        pass


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # First pass: only which command (the placeholders take its arguments as extras).
    chosen, _ = build_parser(load=()).parse_known_args(argv)
    parser = build_parser(load=(chosen.command,) if chosen.command else ())
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
    ctx: Context | None = None
    try:
        ctx = Context(db=args.db, demo=args.demo, today=parse_today(args.today))
        if getattr(args, "run", None) is None:
            return run_tui(ctx)
        return args.run(args, ctx)
    except FileChangedError as exc:
        print(
            f"ctstui: {printable_lines(str(exc))}; nothing was written: run the command again",
            file=sys.stderr,
        )
        return 2
    except (CliError, StoreError) as exc:
        # (the store words it for a command)
        print(f"ctstui: {printable_lines(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        if ctx is not None:
            ctx.close()


def keymap_path() -> Path:
    """``keymap.json`` in the user's config folder: {"binding id": "keys"} to remap keys."""
    from ctstui.store.paths import config_dir

    return config_dir() / "keymap.json"


def run_tui(ctx: Context) -> int:
    from ctstui.tui.app import load_keymap, make_app

    opened: list[ActivityStore] = []

    def open_plan() -> ActivityStore:  # in the planner's worker, after its first paint
        store = ctx.open_store(autosave=False, session=True)  # (frozen out of the GC there)
        opened.append(store)
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
