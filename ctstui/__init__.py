"""ctstui: a keyboard-driven planner for fuzzy improvement-programme plans."""

__version__ = "0.1.0"
