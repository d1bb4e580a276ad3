"""Benchmark casebook on a synthetic corpus: cold and incremental builds, memory, output size.

    python bench/run.py --stories 1000 [--repeat 3] [--json results.json] [--keep DIR]

For the corpus bench/generate.py makes with N stories, measures (median of --repeat runs, each
a fresh process): a cold build (`build --no-cache` into an empty folder); a no-change rebuild;
a rebuild after editing one story; after adding one story; after a template change; peak
resident memory (of the largest process, and of the build's own); how many files the site has
and their total size against the content's; in `serve`, the time from saving a story to the
reload signal and to its search index being current (bench/serve_reload.py; median of at
least three saves); and the floors for the same corpus measured in
the same run: reading and YAML-parsing every story, and Python-Markdown rendering every body
in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

STEPS = (
    ("cold", "cold build (--no-cache, empty output)"),
    ("no_change", "rebuild, nothing changed"),
    ("edit_one", "rebuild after editing one story"),
    ("add_one", "rebuild after adding one story"),
    ("template", "rebuild after a template change"),
)


SERVE_STEPS = (
    ("save_to_reload", "serve: save one story to the reload signal"),
    ("save_to_search", "serve: save one story to its search index being current"),
)


def _measure(work: Path, *argv: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), *argv],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},  # no progress bar in the figures
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 0:
        raise SystemExit(f"bench: {' '.join(argv)} exited {result['status']}\n{done.stderr}")
    return result


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _edit(story: Path, mark: int) -> None:
    text = story.read_text(encoding="utf-8")
    story.write_text(text + f"\nA sentence added by the benchmark, edit {mark}.\n", "utf-8")


def _add(stories: Path, mark: int) -> None:
    """A new story: a copy of the first with another title, as a contributor might start."""
    first = sorted(stories.glob("*.md"))[0]
    _, front, body = first.read_text(encoding="utf-8").split("---\n", 2)
    fields = yaml.safe_load(front)
    fields["title"] = f"Added by the benchmark ({mark})"
    text = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    (stories / f"2020-01-bench-added-{mark:03d}.md").write_text(f"---\n{text}---\n{body}")


def bench(stories: int, repeat: int, work: Path) -> dict[str, object]:
    content = work / "content"
    generate(stories, content)
    templates = work / "templates"
    shutil.copytree(ROOT / "templates", templates)
    output = work / "site"
    build = ["build", "--content", str(content), "--templates", str(templates)]
    build += ["--output", str(output)]
    floors = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "floors.py"), str(content)],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in STEPS}
    story_files = sorted((content / "stories").glob("*.md"))
    for i in range(repeat):
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(work / ".casebook", ignore_errors=True)
        runs["cold"].append(_measure(work, *build, "--no-cache"))
        _measure(work, *build)  # fills the cache
        runs["no_change"].append(_measure(work, *build))
        _edit(story_files[(i * 7919) % len(story_files)], i)
        runs["edit_one"].append(_measure(work, *build))
        _add(content / "stories", i)
        runs["add_one"].append(_measure(work, *build))
        base = templates / "base.html"
        base.write_text(base.read_text(encoding="utf-8") + f"{{# bench {i} #}}\n", "utf-8")
        runs["template"].append(_measure(work, *build))
    saves = str(max(3, repeat))
    serve = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "serve_reload.py"), str(work), "--saves", saves],
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    files, size = _size(output)
    _, content_size = _size(content)
    result: dict[str, object] = {
        "stories": stories,
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "floor_read_parse_s": floors["read_parse"],
        "floor_markdown_s": floors["markdown"],
        "markdown_it_s": floors["markdown_it"],  # None where markdown-it-py is not installed
        "peak_rss_mb": max(
            max(r["rss_mb"], r["worker_rss_mb"]) for rs in runs.values() for r in rs
        ),
        # the build's own process, without Pagefind or the workers it starts
        "build_rss_mb": max(r["rss_mb"] for rs in runs.values() for r in rs),
        "files": files,
        "output_mb": size / 1e6,
        "content_mb": content_size / 1e6,
    }
    for name, _ in STEPS:
        result[f"{name}_s"] = statistics.median(r["seconds"] for r in runs[name])
    for name, _ in SERVE_STEPS:
        result[f"{name}_s"] = statistics.median(serve[f"{name}_s"])
    return result


def table(result: dict[str, object]) -> str:
    rows = [(label, f"{result[f'{name}_s']:.2f} s") for name, label in STEPS + SERVE_STEPS]
    cold, floor = float(result["cold_s"]), float(result["floor_markdown_s"])
    rows += [
        ("floor: read + YAML-parse every story", f"{result['floor_read_parse_s']:.2f} s"),
        ("floor: Python-Markdown, every body, one process", f"{floor:.2f} s"),
        ("cold build / Markdown floor", f"{cold / floor:.2f}x"),
        ("alternative: markdown-it-py, every body, one process", _seconds(result["markdown_it_s"])),
        ("peak RSS (largest process)", f"{result['peak_rss_mb']:.0f} MB"),
        ("peak RSS, the build's own process", f"{result['build_rss_mb']:.0f} MB"),
        ("files in the site", f"{result['files']}"),
        (
            "site size / content size",
            f"{result['output_mb']:.1f} MB / {result['content_mb']:.1f} MB"
            f" = {float(result['output_mb']) / float(result['content_mb']):.1f}x",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    head = f"{result['stories']} stories, median of {result['repeat']} runs, {result['cpus']} CPUs"
    lines = [head, "", f"| {'measure':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {label:<{width}} | {value} |" for label, value in rows]
    return "\n".join(lines)


def _seconds(value: object) -> str:
    if value is None:
        return "not measured (pip install markdown-it-py)"
    return f"{float(value):.2f} s"  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        args.keep.mkdir(parents=True)
        result = bench(args.stories, args.repeat, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="casebook-bench-") as work:
            result = bench(args.stories, args.repeat, Path(work))
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
