"""`specfirst bench`: closed-loop load on one endpoint at several concurrency levels."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from specfirst.contract_tests.cli.options import parse_headers
from specfirst.generator.errors import SpecfirstError, UsageError

__all__ = ["bench"]

log = logging.getLogger(__name__)

MAX_BODY_FILE = 10 * 1024 * 1024


def _levels(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    from specfirst.contract_tests.bench.runner import parse_levels

    try:
        return parse_levels(value)
    except ValueError:
        raise click.BadParameter("expected positive integers separated by commas, e.g. 1,8,32")\
            from None


@click.command()
@click.argument("url")
@click.option("--method", "-X", default="GET", show_default=True, help="HTTP method.")
@click.option("--header", "-H", "headers", multiple=True, metavar="'K: V'",
              help="A request header (repeatable), e.g. 'Authorization: Bearer sf_...'.")
@click.option("--body", "body_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Request body file. {{seq}}, {{uuid}} and {{worker}} in it are replaced per "
                   "request (plain substitution), e.g. unique e-mails for creates.")
@click.option("--concurrency", "-c", default="1,8,32", show_default=True, callback=_levels,
              help="Concurrency levels (virtual users), comma-separated.")
@click.option("--duration", "-d", default=10.0, show_default=True,
              type=click.FloatRange(0.1, 3600), help="Measured seconds per level.")
@click.option("--warmup", default=2.0, show_default=True, type=click.FloatRange(0, 600),
              help="Unmeasured warm-up seconds per level.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds before one request counts as a timeout error.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/bench.json and DIR/curve.svg.")
def bench(url: str, method: str, headers: tuple[str, ...], body_file: Path | None,
          concurrency: tuple[int, ...], duration: float, warmup: float, timeout: float,
          out_dir: Path | None) -> None:
    """Load URL with each concurrency level in turn and report what it sustained.

    Each virtual user holds one keep-alive connection and sends its next request as soon as
    the previous answer arrives (a closed loop). Per level: requests, errors by status,
    throughput, latency p50/p95/p99/max, mean, and the queue length by Little's law
    (L = throughput × mean response time). A note says when the load generator itself used
    a whole core and so may have been the bottleneck.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    from specfirst.contract_tests.bench.client import parse_target
    from specfirst.contract_tests.bench.report import results_table, write_results
    from specfirst.contract_tests.bench.runner import BenchConfig, run_bench
    from specfirst.contract_tests.bench.template import BodyTemplate

    target = parse_target(url, method, parse_headers(headers))
    template = None
    if body_file is not None:
        try:
            if body_file.stat().st_size > MAX_BODY_FILE:
                raise UsageError(f"{body_file}: the body file is larger than 10 MB")
            template = BodyTemplate.parse(body_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{body_file}: cannot read the body file ({type(exc).__name__})")\
                from None
    config = BenchConfig(target, template, concurrency, duration, warmup, timeout)
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]c={task.fields[level]}"), BarColumn(),
                  TextColumn("{task.fields[count]} responses"), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        tasks = {level: progress.add_task("", total=1.0, level=level, count=0)
                 for level in concurrency}

        def update(level: int, fraction: float, count: int) -> None:
            progress.update(tasks[level], completed=min(fraction, 1.0), count=count)

        results = run_bench(config, update)
    out = Console()
    out.print(results_table(results, f"{target.method} {url}"))
    for result in results:
        for note in result.notes:
            out.print(f"c={result.concurrency}: {note}")
    if out_dir is not None:
        meta = {"url": url, "method": target.method, "duration_s": duration,
                "warmup_s": warmup}
        for path in write_results(out_dir, results, meta, f"{target.method} {url}"):
            out.print(f"wrote {path}")
    if all(result.throughput_rps == 0 for result in results):
        raise SpecfirstError(f"no response from {url}", hint="is the server running?")
