"""Document rendering throughput: 200 documents through our layer, beside bare WeasyPrint.

Run from the repository root:  .venv/bin/python bench/render_documents.py [--count 200]

Each target runs in its own child process (ours and the peer twice, in the order ours, peer,
in-process, peer, ours) (so its peak memory is its own), renders `--count`
documents cycling over the implemented forms with the same demo data dictionary, and reports
documents per second and the peak RSS of the child and of its render worker, if any
(`resource.getrusage(RUSAGE_SELF / RUSAGE_CHILDREN).ru_maxrss`):

- ours (PDF):   `enforcement.documents.render.pdf_from_context(form, context)`: the catalogue's
                Jinja template + shared A4 layout, then WeasyPrint in a render worker process
                (enforcement.documents.worker) — what finalizing and downloading a document cost;
- ours in-process: `render.pdf_in_this_process(render_html(form, context), font_dir)`: the same
                WeasyPrint work without the worker (the cost of the isolation is the difference);
- peer (PDF):   `weasyprint.HTML(string=html).write_pdf(stylesheets=[font CSS])` on the *same
                HTML* and the same @font-face stylesheet, rendered once per form beforehand: stock
                WeasyPrint, without our layer (no template, and a fresh FontConfiguration per call,
                as WeasyPrint's documentation does for @font-face);
- ours (DOCX):  `docx_from_context(form, context)`: the same HTML, split into blocks and filled
                into the Word template with docxtpl;
- peer (text):  `render_html` alone (Jinja, no layout engine): the share of our own templating.

Prints a table and writes bench/results/render_documents.json (not committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform as pyplatform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "render_documents.json"
sys.path.insert(0, str(ROOT / "platform"))

TARGETS = ("ours_pdf", "ours_inproc", "peer_pdf", "ours_docx", "peer_html")
LABELS = {
    "ours_pdf": "ours: template + WeasyPrint → PDF",
    "ours_inproc": "ours: same, in-process (no worker)",
    "peer_pdf": "peer: WeasyPrint alone, same HTML",
    "ours_docx": "ours: template → DOCX (docxtpl)",
    "peer_html": "peer: Jinja HTML only (no layout)",
}


def context() -> dict[str, Any]:
    from enforcement.documents.contexts import sample_texts
    from enforcement.documents.render import format_number

    data = {
        "agency": {"name": "南昌市东湖区应急管理局", "abbreviation": "赣东"},
        "party": {
            "name": "南昌洪城铝业有限公司",
            "address": "南昌市东湖区八一大道1号",
            "legal_rep": "张三",
            "position": "主要负责人",
            "phone": "0791-88888888",
            "uscc": "91360102MA35XXXX1X",
        },
        "inspectors": [
            {"name": "李四", "certificate_no": "36010200001"},
            {"name": "王五", "certificate_no": "36010200002"},
        ],
        "remedy": {
            "government": "南昌市东湖区",
            "agency": "南昌市应急管理局",
            "court": "南昌市东湖区",
        },
        "date": "2026年3月5日",
        "legal_basis": "《中华人民共和国安全生产法》第九十九条第（二）项",
        "number": format_number("赣东", "责改", 2026, 3),
    }
    data.update(sample_texts(None, None, dt.date(2026, 3, 5)))
    return data


def run_target(target: str, count: int) -> dict[str, Any]:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from enforcement.documents import TEMPLATES_DIR, forms, worker
    from enforcement.documents.fonts import font_css, font_dir
    from enforcement.documents.render import (
        docx_from_context,
        pdf_from_context,
        pdf_in_this_process,
        render_html,
    )

    base_url = str(TEMPLATES_DIR)
    fonts = str(font_dir())
    implemented = [f for f in forms().values() if f.implemented]
    data = context()
    prepared = {f.code: render_html(f, data) for f in implemented}

    def stock(html: str) -> bytes:
        config = FontConfiguration()
        sheet = CSS(string=font_css(), base_url=fonts + "/", font_config=config)
        return HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[sheet], font_config=config
        )

    # warm-up: fonts loaded, templates compiled, the worker started (the timed target only)
    if target == "ours_pdf":
        pdf_from_context(implemented[0], data)
    elif target == "ours_inproc":
        pdf_in_this_process(prepared[implemented[0].code], fonts)
    elif target == "peer_pdf":
        stock(prepared[implemented[0].code])
    docx_from_context(implemented[0], data)
    started = time.perf_counter()
    size = 0
    for i in range(count):
        form = implemented[i % len(implemented)]
        if target == "ours_pdf":
            out = pdf_from_context(form, data)
        elif target == "ours_inproc":
            out = pdf_in_this_process(render_html(form, data), fonts)
        elif target == "peer_pdf":  # stock WeasyPrint usage: nothing of ours on the path
            out = stock(prepared[form.code])
        elif target == "ours_docx":
            out = docx_from_context(form, data)
        else:
            out = render_html(form, data).encode()
        size += len(out)
    seconds = time.perf_counter() - started
    worker.shutdown()  # its peak memory is counted once it has ended
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "target": target,
        "count": count,
        "seconds": round(seconds, 3),
        "docs_per_s": round(count / seconds, 2),
        "ms_per_doc": round(1000 * seconds / count, 2),
        "mean_kb": round(size / count / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--only", choices=TARGETS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_target(args.only, args.count)))
        return
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
    # ABBA for the two PDF targets: a busy minute on a shared machine hurts both sides alike.
    order = ["ours_pdf", "peer_pdf", "ours_inproc", "peer_pdf", "ours_pdf", "ours_docx"]
    order += ["peer_html"]
    for target in order:
        child = subprocess.run(
            [sys.executable, __file__, "--only", target, "--count", str(args.count)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        runs[target].append(json.loads(child.stdout.strip().splitlines()[-1]))
    results = []
    for target in TARGETS:
        seconds = sum(r["seconds"] for r in runs[target])
        count = sum(r["count"] for r in runs[target])
        results.append(
            {
                **runs[target][0],
                "runs": len(runs[target]),
                "count": count,
                "seconds": round(seconds, 3),
                "docs_per_s": round(count / seconds, 2),
                "ms_per_doc": round(1000 * seconds / count, 2),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs[target]),
            }
        )
    by = {r["target"]: r for r in results}
    ratio = by["ours_pdf"]["docs_per_s"] / by["peer_pdf"]["docs_per_s"]
    print(f"{'target':<40} {'docs/s':>8} {'ms/doc':>8} {'KB/doc':>8} {'peak RSS MB':>12}")
    for r in results:
        print(
            f"{LABELS[r['target']]:<40} {r['docs_per_s']:>8} {r['ms_per_doc']:>8} "
            f"{r['mean_kb']:>8} {r['peak_rss_mb']:>12}"
        )
    print(f"ours/peer PDF throughput: {ratio:.2f} (1.00 = our layer costs nothing)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": dt.datetime.now().isoformat(timespec="seconds"),
                "machine": {
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                    "platform": pyplatform.platform(),
                },
                "results": results,
                "ours_over_peer_pdf": round(ratio, 3),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
