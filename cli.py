"""The ``kehoach`` command line (SPEC §2). Thin: parse arguments, call the library, map
exceptions to exit codes here and nowhere else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import ExitCode, KehoachError

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
) -> None:
    """Process documents into OUT/<name>.json, OUT/records.jsonl and OUT/kehoach.sqlite."""
    from tqdm import tqdm

    from pipeline.runner import collect_inputs, run

    try:
        total = len(collect_inputs(inputs, exclude=out))
        bar = tqdm(total=total, unit="doc", disable=not sys.stderr.isatty(), file=sys.stderr)

        def report(path: Path, record) -> None:
            bar.update(1)
            if record is None:
                return
            for error in record.errors:
                page = f" (page {error.page})" if error.page else ""
                bar.write(f"kehoach: {path}{page}: {record.status}: {error.code}: {error.message}", file=sys.stderr)

        summary = run(inputs, out, options={"password": password}, force=force, on_result=report)
        bar.close()
    except KehoachError as exc:
        _fail(exc)
    typer.echo(json.dumps({"out": str(out), **summary.as_dict()}, ensure_ascii=False), err=True)
    raise typer.Exit(int(summary.exit_code))


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the record."""
    from schemas import Record

    typer.echo(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))


@app.command("eval")
def eval_command(
    corpus: Annotated[Path, typer.Argument(help="gold corpus folder")] = Path("corpus"),
    as_json: Annotated[bool, typer.Option("--json", help="print the scores as JSON")] = False,
) -> None:
    """Score the pipeline against the gold corpus; exit 1 under the corpus' thresholds."""
    from pipeline.evaluate import evaluate, format_table

    try:
        report = evaluate(corpus)
    except KehoachError as exc:
        _fail(exc)
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_table(report))
    if report.failures:
        for failure in report.failures:
            typer.echo(f"kehoach: below threshold: {failure}", err=True)
        raise typer.Exit(int(ExitCode.documents_failed))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
