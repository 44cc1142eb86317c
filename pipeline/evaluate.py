"""``kehoach eval``: score the pipeline's records against gold records written by reading the
documents (SPEC §5).

A corpus folder holds, per document, the input (``NAME.txt`` or any supported file named in the
gold's ``source``), the gold record ``NAME.gold.json`` and optionally ``NAME.clean.txt``: a
hand-corrected text of lines of the input, for restoration scoring. ``thresholds.json`` gives the
minimum F1 (or accuracy) per field; a field under its threshold fails the run.

Until restoration is in, names and titles are compared on a diacritic- and OCR-insensitive key
(``document``, ``sections``); ``document_strict`` compares exactly, to show how far the text still is
from proper Vietnamese.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.errors import UsageError
from pipeline.stages import process_file
from pipeline.vntext import WORD, ocr_key
from schemas import Record

DOCUMENT_FIELDS = ["doc_type", "number", "issuer", "place", "date", "title", "subject",
                   "signer.name", "signer.position", "signer.authority"]
FUZZY_FIELDS = ("title", "subject")
SET_FIELDS = ("references", "agencies", "tasks", "indicators", "deadlines")
# The gold corpus' top folder holds the seeds; each subfolder is a split of its own (SPEC §5).
TOP_SPLIT = "seeds"
# Scored only when asked for by name: the gold held back while rules are written.
HELD_OUT = ("fresh",)
TITLE_MIN = 90
RECIPIENT_MIN = 85


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Score] = field(default_factory=dict)  # over every document scored
    splits: dict[str, dict[str, Score]] = field(default_factory=dict)
    split_of: dict[str, str] = field(default_factory=dict)  # document -> split
    per_document: dict[str, dict[str, Score]] = field(default_factory=dict)
    restoration: dict[str, dict] = field(default_factory=dict)
    errors: dict[str, dict[str, dict[str, list]]] = field(default_factory=dict)
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)  # split -> field -> minimum
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # golds whose input is not there

    def as_dict(self) -> dict:
        return {
            "fields": {k: _score_dict(v) for k, v in self.fields.items()},
            "splits": {sp: {k: _score_dict(v) for k, v in fs.items()} for sp, fs in self.splits.items()},
            "split_of": self.split_of,
            "per_document": {d: {k: _score_dict(v) for k, v in s.items()} for d, s in self.per_document.items()},
            "restoration": self.restoration,
            "errors": self.errors,
            "thresholds": self.thresholds,
            "failures": self.failures,
            "skipped": self.skipped,
        }


def _score_dict(s: Score) -> dict:
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4)}


def _get(obj: dict, dotted: str):
    for part in dotted.split("."):
        obj = (obj or {}).get(part)
    return obj


def _same(field_name: str, pred, gold, strict: bool) -> bool:
    if field_name in FUZZY_FIELDS:
        a, b = (pred, gold) if strict else (ocr_key(pred), ocr_key(gold))
        return fuzz.ratio(a, b) >= TITLE_MIN
    if strict or field_name == "date":
        return pred == gold
    return " ".join(ocr_key(str(pred)).split()) == " ".join(ocr_key(str(gold)).split())


def score_document(pred: dict, gold: dict, strict: bool = False) -> Score:
    score = Score()
    for name in DOCUMENT_FIELDS:
        p, g = _get(pred, name), _get(gold, name)
        if g is None and p is None:
            continue
        if g is not None and p is not None and _same(name, p, g, strict):
            score.tp += 1
        else:
            score.fp += p is not None
            score.fn += g is not None
    return score


def document_errors(pred: dict, gold: dict) -> dict[str, list[str]] | None:
    """The header fields :func:`score_document` counts wrong: each field as read (``extra``) and
    as the gold has it (``missing``); None when all are right."""
    extra, missing = [], []
    for name in DOCUMENT_FIELDS:
        p, g = _get(pred, name), _get(gold, name)
        if (g is None and p is None) or (g is not None and p is not None and _same(name, p, g, False)):
            continue
        if p is not None:
            extra.append(f"{name}={p!r}")
        if g is not None:
            missing.append(f"{name}={g!r}")
    return {"extra": extra, "missing": missing} if extra or missing else None


def _match_fuzzy(pred: list[str], gold: list[str], minimum: int) -> Score:
    remaining = [ocr_key(g) for g in gold]
    tp = 0
    for p in pred:
        key = ocr_key(p)
        best = max(range(len(remaining)), key=lambda i: fuzz.ratio(key, remaining[i]), default=None)
        if best is not None and fuzz.ratio(key, remaining[best]) >= minimum:
            remaining.pop(best)
            tp += 1
    return Score(tp=tp, fp=len(pred) - tp, fn=len(gold) - tp)


def score_sections(pred: list[dict], gold: list[dict]) -> Score:
    matched = _matched_sections(pred, gold)
    return Score(tp=len(matched), fp=len(pred) - len(matched), fn=len(gold) - len(matched))


def _matched_sections(pred: list[dict], gold: list[dict]) -> set[str]:
    """The ids of the sections found with the gold's id and (fuzzily) its title."""
    gold_by_id = {s["id"]: s for s in gold}
    return {s["id"] for s in pred if s["id"] in gold_by_id
            and _same("title", s.get("title") or "", gold_by_id[s["id"]].get("title") or "", strict=False)}


def section_errors(pred: list[dict], gold: list[dict]) -> dict[str, list[str]] | None:
    """The sections found that the gold lacks (``+``) and the gold's sections not found (``-``),
    each as ``(id, title)``: a section with the right id and another title is in both lists."""
    matched = _matched_sections(pred, gold)
    extra = [repr((s["id"], s.get("title"))) for s in pred if s["id"] not in matched]
    missing = [repr((s["id"], s.get("title"))) for s in gold if s["id"] not in matched]
    return {"extra": extra, "missing": missing} if extra or missing else None


def score_sets(pred: set, gold: set) -> Score:
    tp = len(pred & gold)
    return Score(tp=tp, fp=len(pred - gold), fn=len(gold - pred))


_UNITS = r"(?:xã|phường|đặc khu|thị trấn|thị xã|huyện|quận|thành phố|tỉnh)"
_COLLECTIVE = re.compile(rf"^(.+?) (?:các )?({_UNITS}(?:(?:, | và ){_UNITS})+)$")


def agency_key(name: str | None) -> str | None:
    """One key for the spellings of a collective (``Ủy ban nhân dân các xã, phường, đặc khu``,
    ``Ủy ban nhân dân phường, xã, đặc khu``): the same committees, listed in another order, with or
    without ``các``. Gold is written as printed, and documents print the units in either order."""
    found = _COLLECTIVE.match(name or "")
    if not found:
        return name
    units = sorted(re.split(r", | và ", found.group(2)))
    return f"{found.group(1)} các {', '.join(units)}"


def _keys(field_name: str, items: list[dict]) -> set:
    if field_name == "references":
        return {r["normalized_id"] or ("title", ocr_key(r.get("title") or "")) for r in items}
    if field_name == "agencies":
        return {agency_key(a["name"]) for a in items}
    if field_name == "tasks":
        return {(t["section"], agency_key(lead)) for t in items for lead in (t.get("lead") or [None])}
    if field_name == "indicators":
        return {(float(i["value"]) if i.get("value") is not None else None, i.get("unit"), i["operator"])
                for i in items}
    if field_name == "deadlines":
        return {(d["kind"], d.get("start"), d.get("end")) for d in items}
    raise ValueError(field_name)


def _titles_as_gold(predicted: set, expected: set) -> set:
    """Documents cited by name (no symbol) are matched by title, fuzzily (ratio >= TITLE_MIN on the
    OCR key, as document titles are): a predicted title close enough to a gold one counts as it."""
    gold_titles = [k for k in expected if isinstance(k, tuple)]
    out = set()
    for key in predicted:
        if isinstance(key, tuple) and key not in expected and gold_titles:
            best = max(gold_titles, key=lambda g: fuzz.ratio(key[1], g[1]))
            if fuzz.ratio(key[1], best[1]) >= TITLE_MIN:
                key = best
        out.add(key)
    return out


def syllable_accuracy(output: str, gold: str) -> tuple[int, int]:
    """(gold syllables reproduced exactly, gold syllables) after aligning the two sequences."""
    out_tokens, gold_tokens = WORD.findall(output), WORD.findall(gold)
    matched = sum(
        block.size for block in Levenshtein.opcodes(out_tokens, gold_tokens).as_matching_blocks()
    )
    return matched, len(gold_tokens)


def restoration_input(input_text: str, clean_text: str) -> str:
    """The part of the input the clean text corrects: its header says ``# lines A-B of FILE``."""
    first = clean_text.splitlines()[0]
    span = first.split("lines", 1)[1].split("of", 1)[0].strip()
    start, end = (int(x) for x in span.split("-"))
    return "\n".join(input_text.splitlines()[start - 1:end])


def _clean_body(clean_text: str) -> str:
    return "\n".join(line for line in clean_text.splitlines() if not line.startswith("#"))


def find_golds(corpus: Path, splits: list[str] | None = None) -> list[tuple[str, Path]]:
    """(split, gold file) for every gold record of the corpus: the top folder's are the seeds, each
    subfolder's its own split. ``splits`` picks some; by default every split but the held-out ones."""
    found = [(TOP_SPLIT, p) for p in sorted(corpus.glob("*.gold.json"))]
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        found.extend((folder.name, p) for p in sorted(folder.glob("*.gold.json")))
    if splits:
        unknown = set(splits) - {s for s, _ in found}
        if unknown:
            raise UsageError(f"no gold split named {', '.join(sorted(unknown))} in {corpus}; "
                             f"splits: {', '.join(sorted({s for s, _ in found}))}")
        return [(s, p) for s, p in found if s in splits]
    return [(s, p) for s, p in found if s not in HELD_OUT]


def _thresholds(corpus: Path) -> dict[str, dict[str, float]]:
    """``thresholds.json``: ``{split: {field: minimum F1}}``; a flat ``{field: minimum}`` is the seeds'."""
    path = corpus / "thresholds.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if all(isinstance(v, (int, float)) for v in data.values()):
        return {TOP_SPLIT: data}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def evaluate(corpus: Path, restore=None, pipeline: list[str] | None = None,
             splits: list[str] | None = None) -> Report:
    """Score every gold record of ``corpus`` (``*.gold.json`` and its subfolders' splits).
    ``restore`` (text -> text) is the restoration to score; by default the pipeline's own
    (``pipeline.restore``). ``pipeline`` names the stages to run (default: all), e.g. without
    ``restore`` to score the extractors on the text as it comes."""
    if restore is None:
        from pipeline.restore import load
        restore = load().restore
    corpus = Path(corpus)
    golds = find_golds(corpus, splits)
    if not golds:
        raise UsageError(f"no *.gold.json files in {corpus}")
    report = Report(thresholds=_thresholds(corpus))
    fields = ["document", "document_strict", "recipients", "addressees", "sections", *SET_FIELDS]
    report.fields = {f: Score() for f in fields}
    for split, gold_path in golds:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        name = gold_path.name.removesuffix(".gold.json")
        if split != TOP_SPLIT:
            name = f"{split}/{name}"
        source = gold_path.parent / gold["source"]
        if not source.exists():
            report.skipped.append(name)
            continue
        record: Record = process_file(source, pipeline=pipeline)
        pred = record.model_dump(mode="json")
        gdoc = gold["document"]
        scores = {
            "document": score_document(pred["document"], gdoc),
            "document_strict": score_document(pred["document"], gdoc, strict=True),
            "recipients": _match_fuzzy(pred["document"]["recipients"], gdoc.get("recipients", []), RECIPIENT_MIN),
            "addressees": _match_fuzzy(pred["document"].get("addressees") or [], gdoc.get("addressees") or [],
                                       RECIPIENT_MIN),
            "sections": score_sections(pred["sections"], gold["sections"]),
        }
        errors = report.errors.setdefault(name, {})
        header = document_errors(pred["document"], gdoc)
        if header:
            errors["document"] = header
        sections = section_errors(pred["sections"], gold["sections"])
        if sections:
            errors["sections"] = sections
        for f in SET_FIELDS:
            if f not in gold:
                continue  # this gold does not annotate the field (the real files: header and tasks)
            predicted, expected = _keys(f, pred[f]), _keys(f, gold[f])
            if f == "references":
                predicted = _titles_as_gold(predicted, expected)
            scores[f] = score_sets(predicted, expected)
            if predicted != expected:
                errors[f] = {"extra": sorted(map(repr, predicted - expected)),
                             "missing": sorted(map(repr, expected - predicted))}
        report.per_document[name] = scores
        report.split_of[name] = split
        by_split = report.splits.setdefault(split, {f: Score() for f in fields})
        for f, sc in scores.items():
            report.fields[f].add(sc)
            by_split[f].add(sc)
        clean_path = gold_path.parent / f"{gold_path.name.removesuffix('.gold.json')}.clean.txt"
        if clean_path.exists():
            clean = clean_path.read_text(encoding="utf-8")
            noisy = restoration_input(source.read_text(encoding="utf-8"), clean)
            output = restore(noisy)
            matched, total = syllable_accuracy(output, _clean_body(clean))
            report.restoration[name] = {"input_form": gold.get("input_form"), "matched": matched, "syllables": total,
                                        "accuracy": round(matched / total, 4) if total else None}
    for split, minimums in report.thresholds.items():
        scored = report.splits.get(split)
        if scored is None:
            continue
        for f, minimum in minimums.items():
            if f in scored and (scored[f].tp + scored[f].fp + scored[f].fn) and scored[f].f1 < minimum:
                report.failures.append(f"{split} {f}: F1 {scored[f].f1:.3f} < {minimum}")
    return report


def compare(report: Report, baseline: dict, tolerance: float) -> tuple[list[str], list[str]]:
    """Against a saved ``--json`` report: (lines to print, fields that dropped beyond ``tolerance``).
    Each field's F1 delta per split, and per document each item newly missed or newly extra."""
    lines, drops = [], []
    old_splits = baseline.get("splits") or {TOP_SPLIT: baseline.get("fields", {})}
    for split, scored in report.splits.items():
        for f, sc in scored.items():
            old = (old_splits.get(split) or {}).get(f)
            if old is None:
                continue
            delta = sc.f1 - old["f1"]
            if abs(delta) >= 0.0005:
                lines.append(f"{split:<8} {f:<16} {old['f1']:.3f} -> {sc.f1:.3f} ({delta:+.3f})")
            if delta < -tolerance:
                drops.append(f"{split} {f}: F1 {old['f1']:.3f} -> {sc.f1:.3f}")
    old_errors = baseline.get("errors", {})
    for name, fields in report.errors.items():
        for f, diff in fields.items():
            before = old_errors.get(name, {}).get(f, {"extra": [], "missing": []})
            for kind, sign in (("missing", "-"), ("extra", "+")):
                for item in sorted(set(diff[kind]) - set(before.get(kind, []))):
                    lines.append(f"new {kind}: {name} {f} {sign} {item}")
    return lines, drops


def write_junit(report: Report, path: Path) -> None:
    """One test case per document and field (JUnit XML, as CI systems read it); a case fails when
    the document's F1 on the field is under its split's threshold."""
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="kehoach eval")
    for split in report.splits:
        names = [n for n, s in report.split_of.items() if s == split]
        suite = ET.SubElement(suites, "testsuite", name=split)
        failures = 0
        for name in names:
            for f, sc in report.per_document[name].items():
                case = ET.SubElement(suite, "testcase", classname=f"{split}.{name}", name=f)
                minimum = report.thresholds.get(split, {}).get(f)
                if minimum is not None and (sc.tp + sc.fp + sc.fn) and sc.f1 < minimum:
                    failures += 1
                    failure = ET.SubElement(case, "failure", message=f"F1 {sc.f1:.3f} < {minimum}")
                    diff = report.errors.get(name, {}).get(f)
                    if diff:
                        failure.text = "\n".join([*(f"+ {x}" for x in diff["extra"]), *(f"- {x}" for x in diff["missing"])])
        suite.set("tests", str(sum(len(report.per_document[n]) for n in names)))
        suite.set("failures", str(failures))
    path.write_text(ET.tostring(suites, encoding="unicode"), encoding="utf-8")


def format_errors(report: Report) -> str:
    """Every false positive (``+``) and false negative (``-``) of the set-scored fields, and every
    header field read wrong (``+`` as read, ``-`` as the gold has it), per document."""
    lines = []
    for name, fields in report.errors.items():
        for f, diff in fields.items():
            lines.extend(f"{name} {f:<11} + {item}" for item in diff["extra"])
            lines.extend(f"{name} {f:<11} - {item}" for item in diff["missing"])
    return "\n".join(lines)


def format_table(report: Report) -> str:
    lines: list[str] = []
    for split, scored in report.splits.items():
        minimums = report.thresholds.get(split, {})
        n_docs = sum(1 for s in report.split_of.values() if s == split)
        lines.append(f"split {split} ({n_docs} documents)")
        lines.append(f"{'field':<16} {'P':>6} {'R':>6} {'F1':>6}  {'tp':>4} {'fp':>4} {'fn':>4}  threshold")
        for f, s in scored.items():
            if not (s.tp + s.fp + s.fn):
                continue
            t = minimums.get(f)
            lines.append(f"{f:<16} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}  {s.tp:4d} {s.fp:4d} {s.fn:4d}  "
                         f"{'' if t is None else t}")
        lines.append("")
    fields = list(report.fields)
    lines.append(f"{'document':<34} " + " ".join(f"{f[:8]:>8}" for f in fields))
    for name, scores in report.per_document.items():
        lines.append(f"{name[:34]:<34} " + " ".join(f"{scores[f].f1:8.3f}" if f in scores else f"{'':>8}"
                                                     for f in fields))
    if report.skipped:
        lines.append("")
        lines.append(f"skipped (input not found): {', '.join(report.skipped)}")
    if report.restoration:
        lines.append("")
        lines.append("restoration (syllable accuracy of the text as output vs hand-corrected gold)")
        for name, r in report.restoration.items():
            lines.append(f"  {name:<28} {r['input_form'] or '':<10} {r['matched']:6d}/{r['syllables']:<6d} "
                         f"{(r['accuracy'] or 0):.4f}")
    return "\n".join(lines)
