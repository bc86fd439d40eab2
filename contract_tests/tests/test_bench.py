"""The load generator against a tiny local server: figures, errors, templates, files."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from specfirst.contract_tests.bench import (
    BenchConfig,
    BodyTemplate,
    parse_target,
    percentile,
    render_curve,
    run_bench,
    summarize,
)
from specfirst.contract_tests.bench.report import bench_json, write_results
from specfirst.contract_tests.cli import cli
from specfirst.contract_tests.tests.bench_server import TinyServer, tiny_server
from specfirst.generator.errors import UsageError

SHORT: dict[str, Any] = {"duration_s": 0.4, "warmup_s": 0.1, "timeout_s": 5.0}


@pytest.fixture()
def server() -> Iterator[TinyServer]:
    with tiny_server() as running:
        yield running


def _url(server: TinyServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 95) == 7
    assert percentile([], 50) == 0


def test_summarize_counts_errors_and_applies_littles_law() -> None:
    outcomes = Counter({"200": 6, "500": 3, "404": 1, "ConnectionResetError": 2})
    result = summarize(4, [0.01] * 5 + [0.02] * 5, outcomes, duration_s=2.0, client_cpu_s=1.9)
    assert result.requests == 12
    assert result.errors == 6
    assert result.errors_by_status == {"500": 3, "404": 1, "ConnectionResetError": 2}
    assert result.throughput_rps == pytest.approx(5.0)
    assert result.mean_ms == pytest.approx(15.0)
    assert result.queue_length == pytest.approx(5.0 * 0.015)
    assert result.client_bound
    assert any("load generator" in note for note in result.notes)


def test_template_substitutes_placeholders_without_a_template_engine() -> None:
    template = BodyTemplate.parse('{"n": {{seq}}, "id": "{{ uuid }}", "w": {{worker}}, '
                                  '"x": "{{ 7*7 }}"}')
    first = json.loads(template.render(seq=1, worker=3))
    second = json.loads(template.render(seq=2, worker=3))
    assert (first["n"], first["w"], second["n"]) == (1, 3, 2)
    assert uuid.UUID(first["id"]) != uuid.UUID(second["id"])
    assert first["x"] == "{{ 7*7 }}"  # not a placeholder: left as written
    assert BodyTemplate.parse("plain").is_static
    with pytest.raises(UsageError, match="unknown placeholder"):
        BodyTemplate.parse("{{ nope }}")


def test_parse_target_rejects_bad_input() -> None:
    target = parse_target("http://127.0.0.1:8080/a?b=1", "post", {"X-K": "v"})
    assert (target.method, target.port, target.path) == ("POST", 8080, "/a?b=1")
    assert b"Host: 127.0.0.1:8080\r\n" in target.head(2)
    for url in ("ftp://x/", "/relative", "http://"):
        with pytest.raises(UsageError):
            parse_target(url)
    with pytest.raises(UsageError):
        parse_target("http://x/", "BREW")
    with pytest.raises(UsageError):
        parse_target("http://x/", headers={"X": "a\r\nInjected: 1"})


def test_closed_loop_figures_are_consistent(server: TinyServer) -> None:
    config = BenchConfig(parse_target(_url(server, "/ok")), concurrency=(1, 4), **SHORT)
    results = run_bench(config)
    assert [r.concurrency for r in results] == [1, 4]
    for result in results:
        assert result.requests > 0 and result.errors == 0
        assert result.throughput_rps == pytest.approx(result.requests / config.duration_s)
        # Little's law: L = λ·W, and a closed loop never holds more than c requests.
        assert result.queue_length == pytest.approx(
            result.throughput_rps * result.mean_ms / 1000, rel=1e-6)
        assert 0 < result.queue_length <= result.concurrency * 1.05
        assert result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms
        assert 0 <= result.client_cpu
    assert server.connections == 1 + 4  # one keep-alive connection per virtual user


def test_errors_are_counted_by_status(server: TinyServer) -> None:
    failing = run_bench(BenchConfig(parse_target(_url(server, "/fail")), concurrency=(2,),
                                    **SHORT))[0]
    assert failing.requests > 0
    assert failing.errors == failing.requests
    assert failing.errors_by_status == {"500": failing.requests}
    mixed = run_bench(BenchConfig(parse_target(_url(server, "/mixed")), concurrency=(1,),
                                  **SHORT))[0]
    assert 0 < mixed.errors < mixed.requests
    assert set(mixed.errors_by_status) == {"503"}
    assert abs(mixed.requests - 2 * mixed.errors) <= 2


def test_connection_close_and_chunked_bodies(server: TinyServer) -> None:
    for path in ("/close", "/chunked"):
        result = run_bench(BenchConfig(parse_target(_url(server, path)), concurrency=(2,),
                                       **SHORT))[0]
        assert result.requests > 0 and result.errors == 0, path
    assert server.connections > 3  # /close reopened its connections


def test_refused_connections_are_errors_not_crashes() -> None:
    with tiny_server() as gone:
        url = _url(gone, "/ok")
    result = run_bench(BenchConfig(parse_target(url), concurrency=(1,), **SHORT))[0]
    assert result.throughput_rps == 0
    assert result.errors == result.requests > 0
    assert all(not key.isdigit() for key in result.errors_by_status)


def test_template_bodies_differ_per_request(server: TinyServer) -> None:
    template = BodyTemplate.parse('{"email": "c{{seq}}@example.com"}')
    config = BenchConfig(parse_target(_url(server, "/echo"), "POST"), template,
                         concurrency=(3,), **SHORT)
    result = run_bench(config)[0]
    emails = [json.loads(body)["email"] for body in server.bodies]
    assert len(emails) >= result.requests > 0
    assert len(set(emails)) == len(emails)


def _levels_for_curve() -> list:  # type: ignore[type-arg]
    counts = Counter({"200": 10})
    return [summarize(c, [0.001 * c] * 10, counts, 1.0, 0.1) for c in (1, 8, 32)]


def test_curve_is_well_formed_svg_with_a_point_per_level() -> None:
    svg = render_curve(_levels_for_curve(), title="GET /a?x=1&y=<2>")
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall("s:circle", ns)) == 2 * 3  # mean and p99 per level
    assert len(root.findall("s:polyline", ns)) == 2
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "throughput (requests/s)" in texts and "response time (ms)" in texts
    assert "c=32" in texts and "GET /a?x=1&y=<2>" in texts
    ET.fromstring(render_curve([]))  # no levels: still a valid document


def test_bench_json_shape(tmp_path: Path) -> None:
    paths = write_results(tmp_path, _levels_for_curve(), {"url": "http://x/"})
    assert [p.name for p in paths] == ["bench.json", "curve.svg"]
    document = json.loads((tmp_path / "bench.json").read_text())
    assert document == json.loads(json.dumps(bench_json(_levels_for_curve(),
                                                        {"url": "http://x/"})))
    run = document["runs"][0]
    for key in ("concurrency", "requests", "errors", "throughput_rps", "latency_ms", "mean_ms",
                "queue_length"):
        assert key in run
    assert set(run["latency_ms"]) >= {"p50", "p95", "p99", "max"}


def test_cli_writes_results(server: TinyServer, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"n": {{seq}}}')
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "bench", _url(server, "/echo"), "-X", "POST", "--body", str(body), "-H", "X-Test: 1",
        "--concurrency", "1,2", "--duration", "0.3", "--warmup", "0.1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    runs = json.loads((out / "bench.json").read_text())["runs"]
    assert [run["concurrency"] for run in runs] == [1, 2]
    ET.parse(out / "curve.svg")
    assert "queue" in result.output


def test_cli_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_levels = runner.invoke(cli, ["bench", "http://127.0.0.1:9/", "-c", "0,x"])
    assert bad_levels.exit_code == 2
    missing = runner.invoke(cli, ["bench", "http://127.0.0.1:9/", "--body",
                                  str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    template = tmp_path / "t.json"
    template.write_text("{{ bogus }}")
    bad_template = runner.invoke(cli, ["bench", "http://127.0.0.1:9/", "--body", str(template)])
    assert bad_template.exit_code == 2 and "unknown placeholder" in bad_template.output
