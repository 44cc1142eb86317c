"""The analyst's desk (SPEC §6): the review site in real headless Chromium (Debian's, driven by
Playwright, networking off), the workbook in openpyxl and LibreOffice, the citation graph."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline.batch import read_batch
from pipeline.graph import build_links, number_key, write_graph
from pipeline.review import Mark, build_site, document_items, highlight
from pipeline.runner import run
from tests.conftest import CORPUS

REAL = CORPUS.parent.parent / "shared" / "real"
CHROMIUM = shutil.which("chromium")
SEEDS = [CORPUS / f"00{i}.txt" for i in range(5)]
# a Word letter, a Word report, a scanned letter (OCR, three pages)
REAL_FILES = ["cv-giao-4552-cat.docx", "ttr-giai-the-hiep-hoi.docx", "cv-4552-bca-c04.pdf"]


# ---- highlighting, on its own ------------------------------------------------------------------

def test_nested_and_crossing_items_are_each_one_element():
    text = "Sở Y tế chủ trì đến năm 2030 đạt 90% <b>"
    assert text[16:28] == "đến năm 2030" and len(text) == 40
    marks = [Mark(0, 40, "task", 0), Mark(0, 7, "agency", 1), Mark(16, 28, "deadline", 2),
             Mark(25, 36, "indicator", 3)]  # the indicator starts inside the deadline, ends after it
    html = str(highlight(text, marks))
    assert html.count('data-kind="task"') == html.count('data-kind="agency"') == 1
    assert html.count('data-kind="deadline"') == html.count('data-kind="indicator"') == 1
    assert 'data-span="25,36"' in html
    # the indicator opens inside the deadline and outlives it: closed there, reopened as a continuation
    assert html.count('data-cont=') == html.count('data-cont="indicator"') == 1
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count("<span") == html.count("</span>")


def test_a_crossing_item_is_continued_not_repeated():
    text = "abcdefghij"
    html = str(highlight(text, [Mark(0, 6, "task", 0), Mark(4, 10, "deadline", 1)]))
    # the deadline opens inside the task, is closed at the task's end and reopened as a continuation
    assert html.count('data-kind="deadline"') == 1 and html.count('data-cont="deadline"') == 1
    assert html.count("<span") == html.count("</span>") == 3


# ---- a real batch: seeds, Word and scanned files -------------------------------------------------

@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "out"
    inputs = list(SEEDS) + [REAL / name for name in REAL_FILES if (REAL / name).exists()]
    summary = run(inputs, out, workers=2)
    assert summary.exit_code == 0
    build_site(out)
    return out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records every request that is not for a file on disk."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, offline=True)
    page = context.new_page()
    page.network = []
    page.on("request", lambda request: None if request.url.startswith("file:") else page.network.append(request.url))
    yield page
    context.close()


def _expected_items(record) -> Counter:
    items, _ = document_items(record)
    return Counter((item["kind"], f"{item['span'][0]},{item['span'][1]}") for item in items)


def test_every_item_is_highlighted_once_with_its_span(batch, page):
    entries = read_batch(batch)
    assert len(entries) == len(SEEDS) + sum((REAL / n).exists() for n in REAL_FILES)
    for entry in entries:
        page.goto((batch / "review" / f"doc-{entry.name}.html").as_uri())
        found = page.eval_on_selector_all(
            "#text [data-kind]", "els => els.map(e => [e.dataset.kind, e.dataset.span, e.textContent])")
        assert Counter((kind, span) for kind, span, _ in found) == _expected_items(entry.record), entry.name
        for kind, span, shown in found:  # each element starts with the text its span names
            start, end = map(int, span.split(","))
            assert entry.record.text[start:end].startswith(shown) or shown.startswith(
                entry.record.text[start:end]), (entry.name, kind, span)
        assert page.inner_text("#text") == entry.record.text
    assert page.network == []


def test_the_index_lists_every_document(batch, page):
    page.goto((batch / "review" / "index.html").as_uri())
    names = page.eval_on_selector_all("#documents tbody tr", "rows => rows.map(r => r.dataset.name)")
    assert sorted(names) == sorted(e.name for e in read_batch(batch))
    page.fill("#filter-text", "3197/KH-UBND")  # seed 002's number
    assert page.eval_on_selector_all("#documents tbody tr:not([hidden])", "rows => rows.length") == 1
    assert page.network == []


def test_clicking_a_task_of_a_scan_shows_its_page_with_a_box(batch, page):
    if not (REAL / "cv-4552-bca-c04.pdf").exists():
        pytest.skip("../shared/real is not here")
    page.goto((batch / "review" / "doc-cv-4552-bca-c04.html").as_uri())
    page.dispatch_event("#task-0", "click")  # the record's first task (not an agency inside it)
    figure = page.wait_for_selector("#panel-pages figure.page")
    page.wait_for_function("() => { const i = document.querySelector('#panel-pages img');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    box = page.query_selector("#panel-pages .box")
    assert box is not None and figure.get_attribute("data-page") == "1"
    from io import BytesIO

    from PIL import Image

    # the box sits where the record says, in proportion to the page image
    task = next(t for t in next(e for e in read_batch(batch) if e.name == "cv-4552-bca-c04").record.tasks)
    record_page = next(e for e in read_batch(batch) if e.name == "cv-4552-bca-c04").record.pages[0]
    shown, image = box.bounding_box(), page.query_selector("#panel-pages img").bounding_box()
    first = task.boxes[0]
    assert abs((shown["y"] - image["y"]) / image["height"] - first[2] / record_page.height) < 0.005
    assert abs((shown["x"] - image["x"]) / image["width"] - first[1] / record_page.width) < 0.005
    inside = Image.open(BytesIO(box.screenshot())).convert("L")
    # printed text under the box: dark strokes and light paper, not one flat colour
    low, high = inside.getextrema()
    assert high - low > 100, (low, high)
    assert page.network == []


def test_restored_words_show_their_original(batch, page):
    entry = next(e for e in read_batch(batch) if e.record.quality.restored)
    page.goto((batch / "review" / f"doc-{entry.name}.html").as_uri())
    titles = page.eval_on_selector_all("#text .restored:not(.cont)", "els => els.map(e => e.title)")
    changes = sorted(entry.record.quality.restored, key=lambda c: c.span)
    assert titles == [change.original for change in changes]


# ---- the workbook and the CSV files -------------------------------------------------------------

def test_workbook_rows_match_the_records(batch, tmp_path):
    from openpyxl import load_workbook

    result = subprocess.run([sys.executable, "-m", "cli", "export", str(batch), "--xlsx", str(tmp_path / "b.xlsx"),
                             "--csv", str(tmp_path / "csv")], capture_output=True, text=True,
                            cwd=CORPUS.parent)
    assert result.returncode == 0, result.stderr
    entries = read_batch(batch)
    book = load_workbook(tmp_path / "b.xlsx")
    assert book.sheetnames == ["documents", "tasks", "indicators", "deadlines", "references", "agencies"]
    for sheet in book.sheetnames:
        expected = len(entries) if sheet == "documents" else sum(len(getattr(e.record, sheet)) for e in entries)
        ws = book[sheet]
        assert ws.max_row - 1 == expected, sheet
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        header = [c.value for c in ws[1]]
        assert header[:1] == ["document"] and "link" in header
        csv_rows = (tmp_path / "csv" / f"{sheet}.csv").read_text(encoding="utf-8-sig").count("\n")
        assert csv_rows >= expected + 1
    documents = book["documents"]
    header = [c.value for c in documents[1]]
    dates = [row[header.index("date")] for row in documents.iter_rows(min_row=2) if row[header.index("date")].value]
    assert dates and all(cell.is_date and isinstance(cell.value, dt.datetime) for cell in dates)
    deadlines = book["deadlines"]
    header = [c.value for c in deadlines[1]]
    assert any(row[header.index("end_date")].is_date for row in deadlines.iter_rows(min_row=2))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbook_opens_in_libreoffice(batch, tmp_path):
    from pipeline.export import write_xlsx

    write_xlsx(read_batch(batch), batch, tmp_path / "b.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "csv",
                    "--outdir", str(tmp_path), str(tmp_path / "b.xlsx")], check=True, capture_output=True,
                   timeout=180)
    lines = (tmp_path / "b.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(lines) == len(read_batch(batch)) + 1  # LibreOffice writes the first sheet: documents
    assert lines[0].startswith("document,file,status")


def test_docbin_holds_every_record(batch, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from pipeline.export import write_docbin

    entries = read_batch(batch)
    path, spans = write_docbin(entries, tmp_path / "b.spacy")
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))
    assert [d.text for d in docs] == [e.record.text for e in entries]
    assert sum(len(d.spans["kehoach"]) for d in docs) == spans > 0
    assert any(ent.label_ == "AGENCY" for d in docs for ent in d.ents)


# ---- the citation graph -------------------------------------------------------------------------

PLAN = """ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG
Số: {number}
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lâm Đồng, ngày 03 tháng 3 năm {year}
KẾ HOẠCH
{title}
I. MỤC ĐÍCH, YÊU CẦU
{body}
II. NHIỆM VỤ
1. Sở Y tế chủ trì, phối hợp với các sở, ngành triển khai thực hiện.
"""


def _plan(folder: Path, name: str, number: str, year: int, body: str) -> Path:
    path = folder / name
    path.write_text(PLAN.format(number=number, year=year, title=f"Thực hiện {name}", body=body), encoding="utf-8")
    return path


def test_graph_links_a_reference_to_the_batch_document_with_its_number(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    _plan(inputs, "a.txt", "12/KH-UBND", 2025, "Triển khai công tác dân số.")
    _plan(inputs, "b.txt", "40/KH-UBND", 2025, "Thực hiện Kế hoạch số 12/KH-UBND ngày 03/3/2025 của Ủy ban nhân "
          "dân tỉnh Lâm Đồng và Nghị quyết số 21-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương.")
    _plan(inputs, "c.txt", "12/KH-UBND", 2024, "Kế hoạch của năm trước, cùng số.")
    out = tmp_path / "out"
    run([inputs], out, workers=0)
    result = subprocess.run([sys.executable, "-m", "cli", "graph", str(out)], capture_output=True, text=True,
                            cwd=CORPUS.parent)
    assert result.returncode == 0, result.stderr
    rows = sqlite3.connect(out / "kehoach.sqlite").execute(
        "SELECT document, normalized_id, target FROM links ORDER BY normalized_id").fetchall()
    assert rows == [("b", "12/KH-UBND", "a"), ("b", "21-NQ/TW", None)]  # not c: its year is 2024
    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert {(e["source"], e["target"]) for e in data["links"]} == {("b", "a"), ("b", "ref:21-NQ/TW")}
    import xml.etree.ElementTree as ET

    graphml = ET.parse(out / "graph.graphml").getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(graphml.findall(".//g:edge", ns)) == 2 and len(graphml.findall(".//g:node", ns)) == 4
    # the review site shows it from both sides, and the references page lists who cites 21-NQ/TW
    build_site(out)
    assert "doc-b.html" in (out / "review" / "doc-a.html").read_text(encoding="utf-8").split("Built on by")[1]
    assert "doc-b.html" in (out / "review" / "references.html").read_text(encoding="utf-8")


def test_graph_of_seeds_and_plans_matches_the_gold(tmp_path):
    """Every reference whose target is a document of the batch (by the gold: number, year and issuer
    agree) is linked to it, and nothing else is."""
    plans_gold = sorted((CORPUS / "plans").glob("*.gold.json"))
    sources = [(g, (g.parent / json.loads(g.read_text(encoding="utf-8"))["source"]).resolve()) for g in plans_gold]
    sources = [(g, s) for g, s in sources if s.exists()]
    if not sources:
        pytest.skip("../shared/plans is not here")
    golds = [(CORPUS / f"00{i}.gold.json", CORPUS / f"00{i}.txt") for i in range(5)] + sources
    out = tmp_path / "out"
    run([s for _, s in golds], out, workers=2)
    entries = read_batch(out)
    name_of = {Path(e.record.source.path).resolve(): e.name for e in entries}
    numbers = {}
    for gold, source in golds:
        info = json.loads(gold.read_text(encoding="utf-8"))["document"]
        if info.get("number"):
            numbers.setdefault(number_key(info["number"]), []).append((name_of[source.resolve()], info))
    expected = set()
    for gold, source in golds:
        for ref in json.loads(gold.read_text(encoding="utf-8")).get("references", []):
            for target, info in numbers.get(number_key(ref.get("normalized_id") or "-"), []):
                same_year = not (ref.get("date") and info.get("date")) or ref["date"][:4] == info["date"][:4]
                if same_year and target != name_of[source.resolve()]:
                    expected.add((name_of[source.resolve()], target))
    links, _ = write_graph(out, entries)
    assert {(link.source, link.target) for link in links if link.target} == expected
    assert len(links) == len(build_links(entries)) > 50


def test_run_with_review_builds_the_site(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "cli", "run", str(CORPUS / "003.txt"), "-o", str(out),
                             "--workers", "0", "--review"], capture_output=True, text=True, cwd=CORPUS.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1])["review"].endswith("index.html")
    assert (out / "review" / "index.html").exists() and (out / "review" / "doc-003.html").exists()


def test_review_of_a_folder_without_records_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cli", "review", str(tmp_path)], capture_output=True, text=True,
                            cwd=CORPUS.parent)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "kehoach run" in result.stderr
