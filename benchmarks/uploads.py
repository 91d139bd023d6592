"""Time and peak memory of reading a hostile .docx upload (`bot.lastyear.parse_docx`).

Each case is a small zip that unpacks into masses of XML: tiny runs, empty paragraphs, a
real report's size for comparison. Every case runs in a child process of its own, so the
peak RSS printed is that parse's and nothing else's.

    .venv/bin/python benchmarks/uploads.py            # --runs 300000 --paragraphs 1000000
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def real_report() -> bytes:
    from bot.core.answersfile import parse
    from bot.flows import load_all
    from bot.report.render import build_document
    from bot.report.writers.docx import to_docx

    text = (ROOT / "tests" / "fixtures" / "answers" / "2022-liuge.yaml").read_text(encoding="utf-8")
    flow, data = parse(text, load_all())
    out = io.BytesIO()
    to_docx(build_document(flow, data.answers, date=data.date), out)
    return out.getvalue()


def with_body(body: bytes) -> bytes:
    """The real report's package with its document body replaced by `body`."""
    source = zipfile.ZipFile(io.BytesIO(real_report()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                start = data.index(b"<w:body>") + len(b"<w:body>")
                data = data[:start] + body + b"</w:body></w:document>"
            archive.writestr(info.filename, data)
    return out.getvalue()


def measure(path: Path) -> None:
    """In the child: parse once, print seconds, peak RSS and the outcome."""
    from bot.lastyear import NotAReport, parse_docx

    data = path.read_bytes()
    start = time.perf_counter()
    try:
        outcome = parse_docx(data).summary()
    except NotAReport as exc:
        outcome = f"refused: {str(exc)[:30]}…"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{seconds:6.2f} s  {peak:5d} MB peak  {outcome}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300_000, help="tiny runs in one paragraph")
    parser.add_argument("--paragraphs", type=int, default=1_000_000, help="empty paragraphs")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.child)
        return 0
    cases = {
        "the 2022-liuge report": real_report(),
        f"{args.runs:,} tiny runs": with_body(
            b"<w:p>" + b"<w:r><w:t>a</w:t></w:r>" * args.runs + b"</w:p>"
        ),
        f"{args.paragraphs:,} empty paragraphs": with_body(b"<w:p/>" * args.paragraphs),
    }
    folder = Path(__file__).parent / ".uploads"
    folder.mkdir(exist_ok=True)
    try:
        for name, data in cases.items():
            path = folder / "case.docx"
            path.write_bytes(data)
            print(f"{name} ({len(data) // 1024} KB zip): ", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--child", str(path)], check=True)
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
