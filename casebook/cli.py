"""`python build.py [build|check|serve|new]`: parse arguments, run one command, say what happened.

Problems in content are printed one per line, `file:line: message`, then exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import annotations, progress
from .builds import build
from .options import CACHE_FOLDER, BuildOptions, default_templates
from .problems import ContentError, OutputError, display_path
from .urls import normalise_base_url

COMMANDS = ("build", "check", "serve", "new")
SERVE_OUTPUT = Path(".casebook") / "serve"


class UsageError(Exception):
    """A command-line value that cannot work; said in one line, exit status 1."""


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Build the casebook site: the WP partnership matrix and its stories.",
    )
    commands = parser.add_subparsers(dest="command")

    def content_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", type=Path, default=Path("content"), help="content folder")
        p.add_argument("--templates", type=Path, help="templates folder (default: templates/)")
        p.add_argument("--drafts", action="store_true", help="also publish draft stories")
        p.add_argument(
            "--no-cache",
            action="store_true",
            help=f"neither read nor write the build cache ({CACHE_FOLDER}/)",
        )

    build = commands.add_parser("build", help="build the site (the default)")
    content_options(build)
    build.add_argument("--output", type=Path, default=Path("site"), help="output folder")
    build.add_argument("--base-url", help="the URL the site will live at, e.g. https://x.org/wp/")

    check = commands.add_parser("check", help="check content without writing anything")
    content_options(check)

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on change")
    content_options(serve)
    serve.add_argument(
        "--output", type=Path, default=SERVE_OUTPUT, help=f"output folder (default {SERVE_OUTPUT})"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    new = commands.add_parser("new", help="start a new story file by answering questions")
    if command == "new":  # its module imports the model: not for a build with nothing to do
        from .newstory import add_arguments

        add_arguments(new)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in (*COMMANDS, "-h", "--help"):
        arguments.insert(0, "build")
    args = _parser(arguments[0]).parse_args(arguments)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "new":
            from .newstory import new_story

            return new_story(args)
        if args.command == "serve":
            from .serve import serve

            return serve(_options(args), args.output, args.port)
        return _build(args)
    except (UsageError, OutputError) as error:
        print(f"casebook: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _options(args: argparse.Namespace) -> BuildOptions:
    base_url = getattr(args, "base_url", None)
    if base_url is not None:
        try:
            base_url = normalise_base_url(base_url)
        except ValueError as error:
            raise UsageError(f"--base-url {error}") from None
    return BuildOptions(
        content=args.content,
        templates=args.templates or default_templates(),
        base_url=base_url,
        drafts=args.drafts,
        cache=None if args.no_cache else CACHE_FOLDER,
        progress=progress.wanted(),
    )


def report_problems(error: ContentError, consequence: str) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    if annotations.wanted():
        for problem in error.problems:
            print(annotations.annotation(problem))
    count = len(error.problems)
    noun = "problem" if count == 1 else "problems"
    print(f"casebook: {count} {noun} found; {consequence}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from .pipeline import check_site  # not imported for a build that has nothing to do

    try:
        checked = check_site(_options(args))
    except ContentError as error:
        them = "it" if len(error.problems) == 1 else "them"
        report_problems(error, f"fix {them} and run check again")
        return 1
    stories = len(checked.book.stories)
    print(f"casebook: {display_path(args.content)} is fine: {stories} stories, no problems")
    return 0


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    output = display_path(args.output)
    try:
        built = build(_options(args), args.output)
    except ContentError as error:
        report_problems(error, f"nothing was built and {output}/ is unchanged")
        return 1
    seconds = time.perf_counter() - started
    if built.up_to_date:
        print(f"casebook: nothing changed; {output}/ is up to date ({seconds:.2f} s)")
        return 0
    print(
        f"casebook: built {built.pages} pages from {built.stories} stories "
        f"into {output}/ in {seconds:.1f} s"
    )
    return 0
