# SPDX-License-Identifier: MIT
"""The budgets of docs/architecture.md#performance-budgets applied to a run's figures, and the
markdown table of build/bench/report.md. Every figure is a row; rows with a budget pass or
fail, the others are there for context."""

import json


class Report:
    def __init__(self):
        self.rows = []
        self.notes = []

    def row(self, area, what, ours, reference="", ratio="", budget="", passed=None):
        self.rows.append({"area": area, "what": what, "ours": ours, "reference": reference,
                          "ratio": ratio, "budget": budget, "passed": passed})

    def skip(self, area, what, reason):
        """A figure this run could not measure: shown with its reason, never a pass."""
        self.rows.append({"area": area, "what": what, "ours": reason, "reference": "",
                          "ratio": "", "budget": "", "passed": None, "skipped": True})

    def note(self, text):
        self.notes.append(text)

    def failures(self):
        return [row for row in self.rows if row["passed"] is False]

    def markdown(self, header):
        lines = [header, "",
                 "| area | figure | meteremu | reference | ratio | budget | result |",
                 "|---|---|---|---|---|---|---|"]
        for row in self.rows:
            verdict = "skipped" if row.get("skipped") else \
                {True: "pass", False: "**FAIL**", None: "context"}[row["passed"]]
            lines.append(f"| {row['area']} | {row['what']} | {row['ours']} | {row['reference']} "
                         f"| {row['ratio']} | {row['budget']} | {verdict} |")
        failed = len(self.failures())
        lines += ["", f"{sum(r['passed'] is True for r in self.rows)} budgets pass, "
                      f"{failed} fail." if failed else
                  f"Every budget passes ({sum(r['passed'] is True for r in self.rows)})."]
        skipped = sum(1 for row in self.rows if row.get("skipped"))
        if skipped:
            lines[-1] += f" {skipped} not measured (skipped, see their rows)."
        if self.notes:
            lines += ["", "Notes:", ""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def save(self, markdown_path, json_path, header):
        with open(markdown_path, "w") as out:
            out.write(self.markdown(header))
        with open(json_path, "w") as out:
            json.dump({"rows": self.rows, "notes": self.notes}, out, indent=1)


def rate(value):
    return f"{value:,.0f}/s"


def ms(value):
    return "—" if value is None else (f"{value * 1000:.0f} µs" if value < 1 else f"{value:.2f} ms")


def mib(kib):
    return f"{kib / 1024:.1f} MiB"
