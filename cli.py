"""The ``kehoach`` command line (SPEC §2). Thin: parse arguments, call the library, map
exceptions to exit codes here and nowhere else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import ExitCode, KehoachError, UsageError
from pipeline.limits import Limits

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Vietnamese planning documents -> validated JSON records.")


def _fail(exc: KehoachError) -> None:
    typer.echo(f"kehoach: {exc}", err=True)
    raise typer.Exit(int(exc.exit_code))


@app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="files and/or folders (searched recursively)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output folder")] = Path("out"),
    password: Annotated[str | None, typer.Option(help="password for encrypted PDFs")] = None,
    force: Annotated[bool, typer.Option(help="redo documents already finished in OUT")] = False,
    only_failed: Annotated[bool, typer.Option("--only-failed", help="retry only the documents that failed")] = False,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: all cores; 0: in this process)")] = None,
    timeout: Annotated[float, typer.Option(help="seconds one document may take before its worker is killed (also on Dask)")] = 1800,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786")] = None,
    stages: Annotated[str | None, typer.Option(
        help="the stages to run, comma-separated, in order (default: all); checked before any work")] = None,
    review: Annotated[bool, typer.Option("--review", help="build the review site OUT/review/ at the end")] = False,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="read symbolic links in an input folder that point outside it")] = False,
    connect_timeout: Annotated[float, typer.Option(help="seconds to reach the --scheduler before giving up")] = 10,
    max_pixels: Annotated[int, typer.Option(help="pixels one page image may have")] = Limits.max_pixels,
    max_pages: Annotated[int, typer.Option(help="pages one document may have")] = Limits.max_pages,
    max_docx_mb: Annotated[int, typer.Option(
        help="megabytes a .docx may inflate to (from its zip directory)")] = Limits.max_docx_bytes >> 20,
    max_chars: Annotated[int, typer.Option(help="characters of text one document may have")] = Limits.max_chars,
    max_memory: Annotated[str | None, typer.Option(
        help="memory one worker may hold with its tesseract, e.g. 4G or 500M (default: 80% of the machine's "
             "memory shared among the workers); a document past it fails with out_of_memory")] = None,
) -> None:
    """Process documents into OUT/<name>.json, OUT/records.jsonl and OUT/kehoach.sqlite."""
    from tqdm import tqdm

    from pipeline.errors import Interrupted, one_line
    from pipeline.memory import MIN_CEILING, format_size, parse_size
    from pipeline.runner import collect_inputs, run
    from pipeline.stages import build_pipeline

    pipeline = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    try:
        build_pipeline(pipeline)
    except KehoachError as exc:
        _fail(exc)

    if workers is not None and workers < 0:
        _fail(UsageError("--workers must be 0 or more"))
    if timeout <= 0:
        _fail(UsageError("--timeout must be a positive number of seconds"))
    if connect_timeout <= 0:
        _fail(UsageError("--connect-timeout must be a positive number of seconds"))
    try:
        memory_ceiling = parse_size(max_memory) if max_memory is not None else None
    except KehoachError as exc:
        _fail(exc)
    if memory_ceiling is not None and memory_ceiling < MIN_CEILING:
        _fail(UsageError(f"--max-memory must be at least {format_size(MIN_CEILING)}: a worker needs that much "
                         "to load the language model"))
    limits = {"max_pixels": max_pixels, "max_pages": max_pages, "max_docx_bytes": max_docx_mb << 20,
              "max_chars": max_chars}
    for name, value in limits.items():
        if value <= 0:
            _fail(UsageError(f"--{name.replace('_bytes', '_mb').replace('_', '-')} must be a positive number"))
    try:
        total = len(collect_inputs(inputs, exclude=out, follow_symlinks=follow_symlinks))
        bar = tqdm(total=total, unit="doc", disable=not sys.stderr.isatty(), file=sys.stderr)
        counts = {"pages": 0, "failed": 0}

        def report(path: Path, record) -> None:
            bar.update(1)
            if record is None:
                return
            counts["pages"] += len(record.pages)
            counts["failed"] += record.status == "failed"
            bar.set_postfix(pages=counts["pages"], failed=counts["failed"], refresh=False)
            for error in record.errors:
                page = f" (page {error.page})" if error.page else ""
                bar.write(f"kehoach: {one_line(path)}{page}: {record.status}: {error.code}: {one_line(error.message)}",
                          file=sys.stderr)

        try:
            summary = run(inputs, out, options={"password": password, "stages": pipeline, **limits}, force=force,
                          only_failed=only_failed, workers=workers, timeout=timeout, scheduler=scheduler,
                          on_result=report, follow_symlinks=follow_symlinks, connect_timeout=connect_timeout,
                          max_memory=memory_ceiling)
        finally:
            bar.close()
    except KeyboardInterrupt:
        _fail(Interrupted("interrupted before any document was processed; re-run to resume"))
    except KehoachError as exc:
        _fail(exc)
    for path, why in summary.not_read:
        typer.echo(f"kehoach: {one_line(path)}: skipped: {one_line(why)}", err=True)
    for problem in summary.problems:
        typer.echo(f"kehoach: {problem}", err=True)
    result = {"out": str(out), **summary.as_dict()}
    if review:
        from pipeline.review import build_site

        try:
            result["review"] = str(build_site(out))
        except KehoachError as exc:
            _fail(exc)
    typer.echo(json.dumps(result, ensure_ascii=False), err=True)
    raise typer.Exit(int(summary.exit_code))


@app.command("restore")
def restore_command(
    file: Annotated[str, typer.Argument(help="text file, or - for stdin")] = "-",
    form: Annotated[str | None, typer.Option(
        help="force the input form: stripped, ocr_noisy (OCR'd with tesseract eng, as seeds 001/002/004), "
             "ocr_vie (tesseract vie's output), mixed or clean")] = None,
    model: Annotated[Path | None, typer.Option(help="model file (default: the one shipped)")] = None,
) -> None:
    """Restore diacritics and undo OCR errors; the same lines out as in, on stdout."""
    from pipeline.encoding import decode_bytes
    from pipeline.restore import load

    if form not in (None, "stripped", "ocr_noisy", "ocr_vie", "mixed", "clean"):
        _fail(UsageError(f"unknown --form {form!r}: use stripped, ocr_noisy, ocr_vie, mixed or clean"))
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        decoded = decode_bytes(data) if data else None
        text = decoded.text if decoded else ""
        if decoded and decoded.warning:
            typer.echo(f"kehoach: {decoded.warning}", err=True)
        elif decoded and decoded.encoding != "utf-8":
            typer.echo(f"kehoach: the input is not UTF-8 text; read as {decoded.encoding}", err=True)
        restorer = load(str(model) if model else None)
    except OSError as exc:
        _fail(UsageError(f"cannot read {file}: {exc.strerror or exc}"))
    except KehoachError as exc:
        _fail(exc)
    sys.stdout.write(restorer.restore(text, form))


lm_app = typer.Typer(help="The restoration model.", no_args_is_help=True)
app.add_typer(lm_app, name="lm")


@lm_app.command("build")
def lm_build_command(
    corpus: Annotated[Path, typer.Option(help="folder of *.txt.gz shards (../shared/lm-corpus)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="model file to write")] = Path("dictionaries/restore.npz"),
    exclude: Annotated[Path | None, typer.Option(help="file listing corpus files to hold out")] = Path(
        "bench/heldout_files.txt"),
    ocr_pairs: Annotated[Path | None, typer.Option(help="(clean, OCR'd) line pairs from scripts/ocr_pairs.py")] = None,
    vie_pairs: Annotated[Path | None, typer.Option(
        help="(clean, OCR'd) line pairs made with scripts/ocr_pairs.py --lang vie: the vie channel")] = None,
    extra_text: Annotated[list[Path] | None, typer.Option(
        help="text files, or folders of *.txt, trained on too (repeat): the development plans' domains")] = None,
    extra_exclude: Annotated[Path | None, typer.Option(
        help="file listing names of --extra-text files to hold out")] = Path("bench/heldout_plans.txt"),
    channels_from: Annotated[Path | None, typer.Option(
        help="keep the OCR channels of this model file where no pairs are given")] = None,
    min_trigram_count: Annotated[int, typer.Option(help="prune trigrams seen fewer times than this")] = 1,
) -> None:
    """Build the trigram model and OCR channels that ``kehoach restore`` uses."""
    from pipeline.restore.build import build_model
    from pipeline.restore.corpus import read_exclusions

    if not corpus.is_dir() or not any(corpus.glob("*.txt.gz")):
        _fail(UsageError(f"no *.txt.gz shards in {corpus}"))
    held_out = read_exclusions(extra_exclude)
    extra = sorted(p for path in extra_text or [] for p in (sorted(path.glob("*.txt")) if path.is_dir() else [path])
                   if p.name not in held_out)
    summary = build_model(corpus, out, exclude_file=exclude, ocr_pairs=ocr_pairs, vie_pairs=vie_pairs,
                          extra_text=extra, channels_from=channels_from,
                          min_trigram_count=min_trigram_count, log=lambda m: typer.echo(m, err=True))
    typer.echo(json.dumps(summary), err=True)


@lm_app.command("vie-channel")
def lm_vie_channel_command(
    pairs: Annotated[Path, typer.Argument(help="(clean, OCR'd) line pairs from scripts/ocr_pairs.py --lang vie")],
    model: Annotated[Path, typer.Option(help="the model file to add the channel to")] = Path("dictionaries/restore.npz"),
    out: Annotated[Path | None, typer.Option("-o", "--out", help="write here instead of over --model")] = None,
) -> None:
    """Learn tesseract vie's channel from line pairs and store it in a model file, leaving its
    language model as it is (seconds, where ``lm build`` takes many minutes)."""
    from pipeline.restore.build import add_vie_channel

    for path in (pairs, model):
        if not path.is_file():
            _fail(UsageError(f"no such file: {path}"))
    summary = add_vie_channel(model, pairs, out, log=lambda m: typer.echo(m, err=True))
    typer.echo(json.dumps(summary), err=True)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the record."""
    from schemas import Record

    typer.echo(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))


@app.command("eval")
def eval_command(
    corpus: Annotated[Path, typer.Argument(help="gold corpus folder")] = Path("corpus"),
    as_json: Annotated[bool, typer.Option("--json", help="print the scores as JSON")] = False,
    no_restore: Annotated[bool, typer.Option("--no-restore", help="run the extractors on the text as it comes")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="list each extra (+) and missing (-) item")] = False,
    split: Annotated[list[str] | None, typer.Option(
        "--split", help="score only this split (repeat for more); the held-out 'fresh' split only when named")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="a saved --json report: print per-field deltas and new misses; fail on a drop")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="F1 drop allowed against --baseline")] = 0.005,
    junit: Annotated[Path | None, typer.Option("--junit", help="write one JUnit test case per document and field")] = None,
) -> None:
    """Score the pipeline against the gold corpus; exit 1 under the corpus' thresholds (or a drop
    against --baseline)."""
    from pipeline.evaluate import compare, evaluate, format_errors, format_table, write_junit
    from pipeline.stages import DEFAULT_PIPELINE

    try:
        previous = json.loads(baseline.read_text(encoding="utf-8")) if baseline else None
    except (OSError, ValueError) as exc:
        _fail(UsageError(f"cannot read the baseline {baseline}: {exc}"))
    try:
        report = evaluate(corpus, pipeline=[s for s in DEFAULT_PIPELINE if s != "restore"] if no_restore else None,
                          splits=split)
    except KehoachError as exc:
        _fail(exc)
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_table(report))
    if errors and not as_json:
        typer.echo("\n" + format_errors(report))
    if junit is not None:
        write_junit(report, junit)
    failures = list(report.failures)
    if previous is not None:
        lines, drops = compare(report, previous, tolerance)
        typer.echo("\n".join(["", f"against {baseline}:", *(lines or ["no change"])]), err=as_json)
        failures.extend(f"dropped against the baseline: {d}" for d in drops)
    if failures:
        for failure in failures:
            typer.echo(f"kehoach: below threshold: {failure}", err=True)
        raise typer.Exit(int(ExitCode.documents_failed))


@app.command("review")
def review_command(
    out: Annotated[Path, typer.Argument(help="the output folder of kehoach run")] = Path("out"),
) -> None:
    """Build the review site OUT/review/ (opens from disk: OUT/review/index.html)."""
    from pipeline.review import build_site

    try:
        index = build_site(out)
    except KehoachError as exc:
        _fail(exc)
    typer.echo(json.dumps({"review": str(index)}, ensure_ascii=False), err=True)


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="the output folder of kehoach run")] = Path("out"),
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write a workbook, one sheet per field")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="write one CSV file per field into this folder")] = None,
    docbin: Annotated[Path | None, typer.Option(
        "--spacy", help="write the records as a spaCy DocBin (span group 'kehoach', entities)")] = None,
) -> None:
    """Export the batch's records as a workbook, CSV files or a spaCy DocBin (columns: docs/export.md)."""
    from pipeline.batch import read_batch
    from pipeline.export import write_csv, write_docbin, write_xlsx

    if not (xlsx or csv_dir or docbin):
        _fail(UsageError("say what to write: --xlsx FILE, --csv DIR and/or --spacy FILE"))
    try:
        entries = read_batch(out)
        written: dict[str, object] = {"documents": len(entries)}
        if xlsx:
            written["xlsx"] = str(write_xlsx(entries, out, xlsx))
        if csv_dir:
            written["csv"] = [str(p) for p in write_csv(entries, out, csv_dir)]
        if docbin:
            path, spans = write_docbin(entries, docbin)
            written["spacy"], written["spans"] = str(path), spans
    except KehoachError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(UsageError(f"cannot write the export: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")))
    typer.echo(json.dumps(written, ensure_ascii=False), err=True)


@app.command("graph")
def graph_command(
    out: Annotated[Path, typer.Argument(help="the output folder of kehoach run")] = Path("out"),
) -> None:
    """Link each reference to the batch's document with that number: OUT/graph.json, OUT/graph.graphml
    and the links table of OUT/kehoach.sqlite."""
    from pipeline.batch import read_batch
    from pipeline.graph import write_graph

    try:
        links, paths = write_graph(out, read_batch(out))
    except KehoachError as exc:
        _fail(exc)
    typer.echo(json.dumps({"links": len(links), "in_batch": sum(1 for link in links if link.target),
                           **{kind: str(path) for kind, path in paths.items()}}, ensure_ascii=False), err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
