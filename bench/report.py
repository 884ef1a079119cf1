"""bench/results/latest.md: one Markdown table per workload, the databases side by side, with the
ratios against the baselines (how many times slower clientbase is than each; for the naive scan
and OFFSET, how many times slower they are than clientbase's way)."""

from __future__ import annotations

from typing import Any


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "n/a"
    value = numerator / denominator
    return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def ms(figures: dict[str, float]) -> str:
    return f"{figures['p50']:.1f} / {figures['p95']:.1f} / {figures['p99']:.1f}"


def table(header: list[str], rows: list[list[Any]], right_from: int = 2) -> list[str]:
    align = ["---" if n < right_from else "---:" for n in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def markdown(everything: dict[str, Any]) -> str:
    runs = everything["databases"]
    out = [
        f"# clientbase benchmarks: {everything['rows']:,} contacts",
        "",
        f"{everything['at']}; each query timed {everything['repeat']} times after a warm-up; "
        f"W5 {everything['requests']} requests per endpoint. Milliseconds as p50 / p95 / p99.",
        "",
        "## Data generation",
        "",
    ]
    out += table(
        ["database", "contacts", "customers", "locations", "location links", "seconds", "contacts/s"],
        [
            [
                r["database"],
                f"{g['contacts']:,}",
                f"{g['customers']:,}",
                f"{g['locations']:,}",
                f"{g['location_links']:,}",
                f"{g['seconds']:.1f}",
                f"{g['contacts_per_second']:,}",
            ]
            for r in runs
            for g in [r["generate"]]
        ],
        right_from=1,
    )
    out += [
        "## W1 search (`/api/v1/contacts/?search=...&page_size=20`)",
        "",
        "raw SQL: the statements the API request ran that read contacts, replayed on a cursor; bare view: "
        "a Django view replaying every statement the request read with (the token and permissions "
        "too) and answering their rows as JSON; naive: a LIKE '%text%' scan of the glued columns "
        "(LIMIT 20). Ratios of p50.",
        "",
    ]
    rows = []
    for r in runs:
        for name, c in r.get("w1_search", {}).items():
            texts = ", ".join(f"{q['text']} ({q['found']})" for q in c["queries"])
            rows.append(
                [
                    r["database"],
                    name,
                    texts,
                    ms(c["api"]),
                    ms(c["raw"]),
                    ms(c["bare"]),
                    ms(c["naive"]),
                    ratio(c["api"]["p50"], c["raw"]["p50"]),
                    ratio(c["api"]["p50"], c["bare"]["p50"]),
                    ratio(c["naive"]["p50"], c["api"]["p50"]),
                ]
            )
    out += table(
        [
            "database",
            "class",
            "texts (results)",
            "clientbase ms",
            "raw SQL ms",
            "bare view ms",
            "naive ms",
            "clientbase ÷ raw SQL",
            "clientbase ÷ bare view",
            "naive ÷ clientbase",
        ],
        rows,
        right_from=3,
    )
    out += ["## W3 contact list, page 1 against a far page (50 a page)", ""]
    rows = []
    for r in runs:
        w3 = r.get("w3_pages")
        if not w3:
            continue
        cases = w3["cases"]
        first, keyset, offset = (cases[name] for name in cases)
        rows.append(
            [
                r["database"],
                w3["far_page"],
                ms(first["api"]),
                ms(keyset["api"]),
                ms(offset["api"]),
                ratio(keyset["api"]["p50"], first["api"]["p50"]),
                ratio(offset["api"]["p50"], first["api"]["p50"]),
                ratio(offset["api"]["p50"], keyset["api"]["p50"]),
                f"{first['raw']['p50']:.1f} / {keyset['raw']['p50']:.1f} / {offset['raw']['p50']:.1f}",
            ]
        )
    out += table(
        [
            "database",
            "far page",
            "page 1 ms",
            "far page, keyset ms",
            "far page, OFFSET ms",
            "keyset far ÷ page 1",
            "OFFSET far ÷ page 1",
            "OFFSET ÷ keyset",
            "raw SQL p50 ms (1 / keyset / OFFSET)",
        ],
        rows,
        right_from=1,
    )
    out += [
        "## W4 import (`clientbase import contacts FILE`, 60% new, 40% updates)",
        "",
        "rows/s over the whole process (its start included); peak RSS of the import's process; "
        "plain load: the same file into a table of text columns.",
        "",
    ]
    rows = []
    for r in runs:
        w4 = r.get("w4_import")
        if not w4:
            continue
        rows.append(
            [
                r["database"],
                f"{w4['rows']:,}",
                w4["created"],
                w4["updated"],
                w4["unchanged"],
                w4["refused_rows"],
                f"{w4['seconds']:.1f}",
                f"{w4['rows_per_second']:,}",
                w4["peak_rss_mb"],
                f"{w4['plain_method']} {w4['plain_rows_per_second']:,.0f}",
                ratio(w4["plain_rows_per_second"], w4["rows_per_second"]),
            ]
        )
    out += table(
        [
            "database",
            "rows",
            "created",
            "updated",
            "unchanged",
            "refused",
            "seconds",
            "rows/s",
            "peak RSS MB",
            "plain load rows/s",
            "plain ÷ clientbase",
        ],
        rows,
        right_from=1,
    )
    out += [
        "## W5 API requests per second (one client, one after another)",
        "",
        "bare view: every statement the request read with, replayed, its rows as JSON (list, detail); "
        "one INSERT of the same row (create).",
        "",
    ]
    rows = []
    for r in runs:
        for name, c in r.get("w5_requests", {}).items():
            rows.append(
                [
                    r["database"],
                    name,
                    f"{c['api']['per_second']:,}",
                    f"{c['api']['ms']:.1f}",
                    f"{c['bare']['per_second']:,}",
                    f"{c['bare']['ms']:.1f}",
                    ratio(c["bare"]["per_second"], c["api"]["per_second"]),
                ]
            )
    out += table(
        [
            "database",
            "endpoint",
            "clientbase req/s",
            "clientbase ms",
            "bare view req/s",
            "bare view ms",
            "clientbase ÷ bare view (time)",
        ],
        rows,
    )
    out += [
        "## W6 notification routing (work order event at a location)",
        "",
        "A customer with that many opted-in contacts at the location, a tenth as many of another "
        "location and as many not opted in; statistics refreshed after they are written.",
        "",
    ]
    rows = []
    for r in runs:
        for wanted, c in r.get("w6_routing", {}).items():
            rows.append(
                [
                    r["database"],
                    f"{int(wanted):,}",
                    ms(c["resolver"]),
                    c["resolver_queries"],
                    ms(c["api"]),
                    c["api_queries"],
                    ratio(c["resolver"]["p50"], r["w6_routing"]["1"]["resolver"]["p50"]),
                ]
            )
    out += table(
        [
            "database",
            "recipients",
            "resolve_recipients ms",
            "queries",
            "preview API ms",
            "API queries",
            "÷ 1 recipient",
        ],
        rows,
        right_from=1,
    )
    out += quality_table(runs)
    out += ["## Phases (seconds)", ""]
    names = list(dict.fromkeys(name for r in runs for name in r["phases"]))
    out += table(
        ["phase", *[r["database"] for r in runs]],
        [[name, *[f"{r['phases'].get(name, 0):.1f}" for r in runs]] for name in names],
        right_from=1,
    )
    return "\n".join(out)


def quality_table(runs: list[dict[str, Any]]) -> list[str]:
    """W7's section: each data-quality read through the API against the bare view (none without W7)."""
    if not any("w7_quality" in r for r in runs):
        return []
    out = [
        "## W7 data quality (the worker's refresh, `quality/summary/`, `quality/`, the page `/quality/`)",
        "",
        "bare view: every statement the request read with, replayed, its rows as JSON.",
        "",
    ]
    rows = []
    for r in runs:
        for name, c in r.get("w7_quality", {}).items():
            rows.append(
                [
                    r["database"],
                    name,
                    ms(c["api"]),
                    ms(c["bare"]) if "bare" in c else "",
                    c["statements"] if c["statements"] is not None else "",
                    ratio(c["api"]["p50"], c["bare"]["p50"]) if "bare" in c else "",
                ]
            )
    return out + table(
        ["database", "read", "clientbase ms", "bare view ms", "statements", "clientbase ÷ bare view"], rows
    )
