"""Where ctstui keeps its files: the user's data and config folders.

From ``platformdirs`` (Windows: ``%LOCALAPPDATA%\\ctstui``; macOS:
``~/Library/Application Support/ctstui``).  Linux keeps the XDG folders it
always used (``$XDG_DATA_HOME``, else ``~/.local/share``), so existing plans
stay where they are.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_DIR = "ctstui"


def data_dir() -> Path:
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
        return Path(base) / APP_DIR
    return Path(platformdirs.user_data_dir(APP_DIR, appauthor=False, roaming=False))


def config_dir() -> Path:
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
        return Path(base) / APP_DIR
    return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False, roaming=True))


def default_db_path() -> Path:
    """``$CTSTUI_DB``, else ``plan.json`` in the user's data folder."""
    env = os.environ.get("CTSTUI_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "plan.json"
