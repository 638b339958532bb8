"""``ctstui contract``: the plan's funder contracts and their commissioned targets.

    ctstui contract list [--format text|json]
    ctstui contract add --funder NAME --from DATE --to DATE [--target SPEC]... [--notes TEXT]
    ctstui contract edit CONTRACT [--funder] [--from] [--to] [--target SPEC]...
                                  [--add-target SPEC]... [--remove-target LABEL]... [--notes]
    ctstui contract remove CONTRACT

A target SPEC is ``[LABEL =] COUNT QUERY``, e.g.
``'Library peer challenges = 7 kind:"peer challenge" theme:libraries'``.
CONTRACT is a contract's id (or the start of it) or its funder's name.
Activities count for a contract when their ``funder`` names its funder or
gives its id.  Bad input exits 2 naming the option and what was expected, and
leaves the plan file untouched.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import CliError, Context
from ctstui.cli.output import write_json
from ctstui.domain.model import FunderContract
from ctstui.domain.text import printable, quoted
from ctstui.report.contracts import (
    ContractError,
    check_contract,
    find_contract,
    format_target,
    overlapping,
    parse_date,
    parse_target,
)

NAME = "contract"
HELP = "funder contracts: list, add, edit or remove a contract and its commissioned targets"

TARGET_HELP = (
    "a commissioned target: [LABEL =] COUNT QUERY, e.g. "
    "'Library peer challenges = 7 kind:\"peer challenge\" theme:libraries' (repeat for more)"
)


ACTIONS = ("list", "add", "edit", "remove")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # One parser for every action, so the plan options (--db, --today) may come anywhere.
    parser.add_argument("action", choices=ACTIONS, help="list, add, edit or remove")
    parser.add_argument(
        "contract",
        nargs="?",
        metavar="CONTRACT",
        help="for edit and remove: the contract's id (or the start of it) or its funder",
    )
    parser.add_argument("--funder", help="the funder, e.g. 'Sport England'")
    parser.add_argument("--from", dest="start", metavar="DATE", help="period start (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="period end (YYYY-MM-DD)")
    parser.add_argument(
        "--target",
        action="append",
        metavar="SPEC",
        help=TARGET_HELP + "; for edit, replaces all the targets",
    )
    parser.add_argument(
        "--add-target", action="append", default=[], metavar="SPEC", help="edit: add a target"
    )
    parser.add_argument(
        "--remove-target",
        action="append",
        default=[],
        metavar="LABEL",
        help="edit: remove the target with this label",
    )
    parser.add_argument("--notes", help="notes shown with the contract")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="list: text or json"
    )


def _check_options(args: argparse.Namespace) -> None:
    """Options that do not fit the action: refused, never silently ignored."""
    edits = ("funder", "start", "end", "target", "notes")
    given = [name for name in edits if getattr(args, name) is not None]
    given += [name for name in ("add_target", "remove_target") if getattr(args, name)]
    option = {"start": "--from", "end": "--to"}
    names = [option.get(n, "--" + n.replace("_", "-")) for n in given]
    if args.action in ("add", "edit", "remove") and args.format != "text":
        raise CliError(f"--format is for 'contract list', not 'contract {args.action}'")
    if args.action in ("list", "remove") and names:
        raise CliError(f"{', '.join(names)}: not used by 'contract {args.action}'")
    if args.action in ("edit", "remove") and not args.contract:
        raise CliError(
            f"contract {args.action}: give the CONTRACT (its id, or its funder's name); "
            "'ctstui contract list' shows them"
        )
    if args.action in ("list", "add") and args.contract:
        raise CliError(f"contract {args.action}: unexpected {quoted(args.contract)}")
    if args.action == "add":
        missing = [o for o, v in (("--funder", args.funder), ("--from", args.start),
                                  ("--to", args.end)) if v is None]  # fmt: skip
        if missing:
            raise CliError(f"contract add: {', '.join(missing)} required")
        if args.add_target or args.remove_target:
            raise CliError("contract add: give the targets with --target")


def describe(contract: FunderContract) -> list[str]:
    lines = [
        f"{contract.id}  {printable(contract.funder)}  "
        f"{contract.start.isoformat()} to {contract.end.isoformat()}"
    ]
    lines.extend(f"  target: {printable(format_target(t))}" for t in contract.targets)
    if not contract.targets:
        lines.append("  no targets")
    if contract.notes:
        lines.append(f"  notes: {printable(contract.notes)}")
    return lines


def run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        return _run(args, ctx)
    except ContractError as exc:
        raise CliError(str(exc))


def _warn_overlaps(ctx: Context, contract: FunderContract, others: list[FunderContract]) -> None:
    clash = overlapping(contract, others)
    if clash:
        ctx.warn(
            f"note: {contract.funder}'s contract {clash[0].id[:8]} overlaps this one's period; "
            "an activity naming the funder counts for both: link it to one by giving the "
            "contract's id as its funder"
        )


def _run(args: argparse.Namespace, ctx: Context) -> int:
    _check_options(args)
    if args.action == "list":
        contracts = ctx.open_store_to_read().contracts()
        if args.format == "json":
            write_json(ctx.out, [c.to_dict() for c in contracts])
        elif not contracts:
            ctx.out.write("No contracts. Add one with: ctstui contract add --funder ...\n")
        else:
            for contract in contracts:
                ctx.out.write("\n".join(describe(contract)) + "\n")
        return 0
    if args.action == "add":
        # Everything is checked before the plan is opened for writing.
        contract = check_contract(
            funder=args.funder,
            start=parse_date(args.start, "--from"),
            end=parse_date(args.end, "--to"),
            targets=[parse_target(t) for t in args.target or []],
            notes=args.notes or "",
        )
        store = ctx.open_store()
        store.save_contract(contract)
        _warn_overlaps(ctx, contract, store.contracts())
        ctx.out.write("added " + "\n".join(describe(contract)) + "\n")
        return 0
    store = ctx.open_existing_store(f"{args.action} a contract in")
    old = find_contract(store.contracts(), args.contract)
    if args.action == "remove":
        store.delete_contract(old.id)
        ctx.out.write(f"removed {old.id} ({printable(old.funder)})\n")
        return 0
    targets = list(old.targets)
    if args.target is not None:
        targets = [parse_target(t) for t in args.target]
    for label in args.remove_target:
        kept = [t for t in targets if t.label.casefold() != label.strip().casefold()]
        if len(kept) == len(targets):
            known = ", ".join(repr(t.label) for t in targets) or "none"
            raise ContractError(
                "--remove-target", f"no target called {quoted(label)}; targets: {known}"
            )
        targets = kept
    targets.extend(parse_target(t, "--add-target") for t in args.add_target)
    contract = check_contract(
        funder=old.funder if args.funder is None else args.funder,
        start=old.start if args.start is None else parse_date(args.start, "--from"),
        end=old.end if args.end is None else parse_date(args.end, "--to"),
        targets=targets,
        notes=old.notes if args.notes is None else args.notes,
        contract_id=old.id,
    )
    store.save_contract(contract)
    _warn_overlaps(ctx, contract, store.contracts())
    ctx.out.write("changed " + "\n".join(describe(contract)) + "\n")
    return 0
