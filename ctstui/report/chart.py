"""The board paper's chart: days per month by status, as a PNG (matplotlib).

matplotlib is imported only when a chart is drawn (a Word report), so the
planner and the other report formats start without it.  The figures drawn are
:meth:`Report.days_by_status`, the same as the JSON report's
``days_by_month_and_status``.
"""

from __future__ import annotations

import io

from ctstui.report.summary import STATUS_LABELS, STATUS_ROWS, Report

# Colours that stay apart in greyscale print, darkest for what is done.
STATUS_COLOURS = {
    "completed": "#1b5e20",
    "confirmed": "#2e7d32",
    "planned": "#81c784",
    "tbc": "#fbc02d",
    "optional": "#bdbdbd",
}


def chart_description(report: Report) -> str:
    """The chart in words (the image's alternative text): each month's days by status."""
    parts = []
    for label, days in report.days_by_status():
        shown = [f"{STATUS_LABELS[s]} {days[s]:g}" for s in STATUS_ROWS if days[s]]
        parts.append(f"{label}: {', '.join(shown) if shown else 'none'}")
    return "Days per month by status. " + "; ".join(parts) + "."


def days_chart_png(report: Report, *, width_in: float = 6.3, height_in: float = 3.0) -> bytes:
    """A stacked bar chart of days per month by status, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")  # no display: draw to memory only
    from matplotlib.figure import Figure

    data = report.days_by_status()
    labels = [label for label, _ in data]
    figure = Figure(figsize=(width_in, height_in), dpi=150)
    axes = figure.add_subplot()
    bottom = [0.0] * len(data)
    for status in STATUS_ROWS:
        values = [days[status] for _, days in data]
        if not any(values):
            continue
        axes.bar(
            labels,
            values,
            bottom=bottom,
            label=STATUS_LABELS[status],
            color=STATUS_COLOURS[status],
            edgecolor="white",
            linewidth=0.5,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for x, total in enumerate(bottom):
        if total:
            axes.annotate(
                f"{total:g}", (x, total), ha="center", va="bottom", fontsize=7,
                xytext=(0, 1), textcoords="offset points",
            )  # fmt: skip
    axes.set_ylabel("Days")
    axes.set_title(f"Days per month by status: {report.window.label}", fontsize=9)
    axes.tick_params(axis="x", labelsize=7, rotation=45 if len(labels) > 13 else 0)
    axes.tick_params(axis="y", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(0, max([*bottom, 1.0]) * 1.35)  # room for the legend
    if any(bottom):
        axes.legend(fontsize=7, frameon=False, ncols=5, loc="upper left")
    else:
        axes.text(0.5, 0.5, "No days in this window", ha="center", transform=axes.transAxes)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
