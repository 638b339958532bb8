"""`ctstui serve` (being built: see its issue)."""

from __future__ import annotations

import argparse

from .context import CliError, Context

NAME = "serve"
HELP = "serve (not built yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, ctx: Context) -> int:
    raise CliError("'serve' is not built yet")
