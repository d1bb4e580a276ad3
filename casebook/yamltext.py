"""YAML read safely, with the line of every value kept for error messages.

PyYAML's own loaders lose positions, silently keep the last of two duplicate keys and expand
aliases (a few lines of anchors can expand to gigabytes). So we let PyYAML compose the node
tree (its C parser where present) and build plain values ourselves: duplicate keys, aliases,
unknown tags and deep nesting become problems with a line number, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .characters import FORBIDDEN_LINE, named

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _untagged(text: str) -> str:
    """The tag YAML gives this text written plain, with no tag ('tag:yaml.org,2002:int'
    for '1')."""
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


def _short(tag: str) -> str:
    """A tag as a writer would write it: '!!int', '!custom'."""
    return tag.replace("tag:yaml.org,2002:", "!!")


MAX_DEPTH = 16
# YAML's line breaks (str.splitlines also breaks at characters YAML does not)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# what follows a plain value on its line when a hashtag (" #1", " #proud") cut it short:
# one space, then "#" and a word; a comment after a value is two spaces or "# " apart
_HASHTAG = re.compile(r"[ \t]#[^\s#]")

_PLAIN_TAGS = {
    _STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True)
class YamlDocument:
    """Plain Python values, plus the file line of each value by its key path, and the text
    as written of each unquoted value YAML reads as something other than text (a number,
    true or false, a date): `title: 1.10` is the number 1.1, but the title "1.10"."""

    value: Any
    lines: dict[Key, int] = field(default_factory=dict)
    written: dict[Key, str] = field(default_factory=dict)
    # problems that leave the value whole enough to check the rest: a value cut short by a
    # hashtag, a field given twice (the first is kept); the file still fails, but its other
    # problems are listed with these, not after they are fixed
    problems: tuple[YamlProblem, ...] = ()

    def text_of(self, value: Any, *path: str | int) -> Any:
        """The value at path as the text written there, if it was read as something else."""
        return value if isinstance(value, str) else self.written.get(tuple(path), value)

    def line(self, *path: str | int) -> int:
        """The line of the value at path, or of its nearest parent that has one."""
        key: Key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


class YamlError(Exception):
    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _too_deep(text: str) -> bool:
    """Whether collections nest deeper than MAX_DEPTH, found from the parser's events.

    libyaml's parser keeps its own stack, but its composer recurses and crashes the process
    on deep nesting (`[[[[...` or `- - - - ...`), so depth is measured before composing.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return True
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False  # composing reports the syntax error with its line
    return False


# What YAML's reader refuses outright (control characters), and what it reads as a line break
# though editors show none (NEL, and the line and paragraph separators), which would put every
# later line number out by one: each is named at the line an editor shows it on (text has \n
# line ends), and read as a space, so that the file's other problems are found at theirs.
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u2028\u2029]")


def _unreadable(text: str, first_line: int) -> list[YamlProblem]:
    problems: dict[int, YamlProblem] = {}
    line, counted = first_line, 0  # the line counted to, from the start: once, not each time
    for found in _UNREADABLE.finditer(text):
        line += text.count("\n", counted, found.start())
        counted = found.start()
        if found.group() in "\u2028\u2029":
            message = (
                f"this line has {named(found.group())}, which YAML reads as the end of a "
                "line; retype the text around it"
            )
        else:
            message = FORBIDDEN_LINE
        problems.setdefault(line, YamlProblem(line, message))
    return list(problems.values())


def parse_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document. first_line is the file line the text starts on."""
    unreadable = _unreadable(text, first_line)
    if not unreadable:
        return _parse_yaml(text, first_line)
    try:
        document = _parse_yaml(_UNREADABLE.sub(" ", text), first_line)
    except YamlError as error:
        raise YamlError(sorted([*unreadable, *error.problems], key=lambda p: p.line)) from None
    found = sorted([*unreadable, *document.problems], key=lambda p: p.line)
    return YamlDocument(document.value, document.lines, document.written, tuple(found))


def _parse_yaml(text: str, first_line: int) -> YamlDocument:
    if _too_deep(text):
        message = f"YAML nested more than {MAX_DEPTH} levels deep; flatten it"
        raise YamlError([YamlProblem(first_line, message)])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        problem = _syntax_problem(error, _LINE_BREAK.split(text), first_line)
        raise YamlError([problem]) from None
    except yaml.YAMLError as error:
        raise YamlError([YamlProblem(first_line, f"not valid YAML: {error}")]) from None
    except RecursionError:
        message = f"YAML nested more than {MAX_DEPTH} levels deep; flatten it"
        raise YamlError([YamlProblem(first_line, message)]) from None
    finally:
        loader.dispose()
    if node is None:
        return YamlDocument(None, {(): first_line})
    builder = _Builder(first_line, _LINE_BREAK.split(text))
    value = builder.build(node, (), 0)
    if builder.problems:
        raise YamlError(sorted([*builder.problems, *builder.mild], key=lambda p: p.line))
    return YamlDocument(value, builder.lines, builder.written, tuple(builder.mild))


# "field: value" on one line (or "- field: value" in a list), for the hints below
_FIELD_LINE = re.compile(r"\s*(?:-\s+)?([^\s:#][^:#]*?):[ \t]+(.*?)\s*\Z")
# a field whose colon has no space after it ("title:A story"); not "https://"
_NO_SPACE = re.compile(r"\s*(?:-\s+)?([A-Za-z_][\w-]*):([^\s:/].*?)\s*\Z")
# spaces YAML does not take for spaces, after a colon or as indentation
_ODD_SPACE = re.compile("(?:^[ ]*|:)([\u00a0\u2000-\u200a\u202f\u205f\u3000])")
# characters that mean something to YAML at the start of a value
_INDICATORS = "@`%&*|>?[{"  # "!" starts a tag, which the builder names


def _syntax_problem(error: yaml.MarkedYAMLError, lines: list[str], first_line: int) -> YamlProblem:
    """The syntax error at its line, or, where a contributor's usual slip explains it, that
    slip at its own line with the fix."""
    mark = error.problem_mark or error.context_mark
    at = mark.line if mark else 0
    for number, line in enumerate(lines[: at + 1]):
        if found := _ODD_SPACE.search(line):
            return YamlProblem(
                first_line + number,
                f"this line has {named(found.group(1))} where YAML needs an ordinary "
                "space, as pasted from a word processor or a web page; retype the space",
            )
        if found := _NO_SPACE.match(line):
            field_name, value = found.groups()
            return YamlProblem(
                first_line + number,
                f"put a space after the colon: '{field_name}: {value}'",
            )
    quoted = error.context == "while scanning a quoted scalar" and error.context_mark
    # a list or mapping in brackets left open: YAML notices on a later line, at the next
    # field; the line to fix is the one that opens it
    unclosed = (
        error.context in ("while parsing a flow sequence", "while parsing a flow mapping")
        and (error.problem or "").startswith("did not find expected ','")
        and error.context_mark
    )
    if quoted or unclosed:
        at = error.context_mark.line
    second = error.context == "expected a single document in the stream"
    if "expected <document start>" in (error.problem or ""):  # after a line of '...'?
        above = range(min(at, len(lines) - 1), -1, -1)
        if (ended := next((n for n in above if lines[n].strip() == "..."), None)) is not None:
            at, second = ended, True
    if second:
        return YamlProblem(first_line + at, _SECOND_DOCUMENT)
    if hint := _value_hint(lines[at] if at < len(lines) else "", bool(quoted)):
        return YamlProblem(first_line + at, hint)
    return YamlProblem(first_line + at, _describe_syntax_error(error, lines[at : at + 1]))


def _value_hint(line: str, unclosed: bool) -> str:
    """How to write the value on this line so that YAML reads it as text, if that is what
    went wrong: it opens a quotation mark it does not close, or starts with one and goes on
    after it, or starts with a character YAML reads as markup."""
    found = _FIELD_LINE.match(line)
    if not found:
        return ""
    field_name, value = found.groups()
    fix = f"{field_name}: {_quoted(value)}"
    if unclosed:
        return (
            "a quotation mark opened on this line is not closed; close it, or if it is part "
            f"of the text, put the whole value in quotes: {fix}"
        )
    if value[:1] in "\"'" and re.match(r"([\"']).*?\1\s*\S", value):
        if value[0] == "'":  # 'It''s' is YAML's It's, which the writer meant to keep
            fix = f"{field_name}: {_quoted(_single_quoted_as_meant(value))}"
        return f"a value that starts with a quotation mark must end with it; write {fix}"
    if value == "-" or value.startswith(("- ", "-\t")):
        return (
            f"a value that starts with '- ' is read as a list; put the whole value in quotes: "
            f"{fix}, or write each item of a list on a line of its own below"
        )
    # "[Draft] Our story" is text in brackets; "[a, b]]" is a list with a slip in it
    bracketed = value[:1] in ("[", "{") and re.match(r".[^\]}]*[\]}]\s*[^\s\]},#]", value)
    if value[:1] and value[0] in _INDICATORS and (value[0] not in "[{" or bracketed):
        return f"a value that starts with '{value[0]}' must be in quotes: {fix}"
    return ""


def _single_quoted_as_meant(value: str) -> str:
    """'It''s ours' at last, as written to be read: 'It's ours' at last. Only the quoted
    part at the start has YAML's doubled apostrophes; what follows it is kept as it is."""
    at = 1
    while at < len(value):
        if value[at] == "'":
            if value[at + 1 : at + 2] != "'":
                break
            at += 1
        at += 1
    return "'" + value[1:at].replace("''", "'") + value[at:]


_SECOND_DOCUMENT = (
    "a second YAML document starts here (a line of '---' or '...' ends the first); the file "
    "holds one: remove that line, and put what follows it with the fields above"
)


def _describe_syntax_error(error: yaml.MarkedYAMLError, line: list[str]) -> str:
    what = error.problem or "not valid YAML"
    context = f" {error.context}" if error.context else ""
    hint = ""
    if "mapping values are not allowed" in what:
        hint = "; if a value contains ': ', put the whole value in quotes"
    elif "found character '\\t'" in what or "\t" in "".join(line):
        hint = "; indent with spaces, not tabs"
    elif "flow sequence" in context:
        hint = "; a list in brackets needs its closing ']', e.g. tags: [a, b]"
    elif "could not find expected ':'" in what:
        hint = "; each line should be 'field: value'"
    return f"YAML syntax error: {what}{context}{hint}"


class _Builder:
    def __init__(self, first_line: int, text_lines: list[str]) -> None:
        self.first_line = first_line
        self.text_lines = text_lines
        self.lines: dict[Key, int] = {}
        self.written: dict[Key, str] = {}
        self.problems: list[YamlProblem] = []
        self.mild: list[YamlProblem] = []  # see YamlDocument.problems
        self.seen: set[int] = set()

    def line_of(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(YamlProblem(self.line_of(node), message))

    def build(self, node: yaml.Node, path: Key, depth: int, line: int | None = None) -> Any:
        """line: where the value is used, when known (an alias's node is where it was defined)."""
        self.lines[path] = line or self.line_of(node)
        if id(node) in self.seen:
            self.problems.append(
                YamlProblem(
                    self.lines[path],
                    "YAML aliases (*name) are not allowed; write the value out in full",
                )
            )
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.fail(node, f"YAML nested more than {MAX_DEPTH} levels deep; flatten it")
            return None
        tag = _short(node.tag)
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"YAML tag '{tag}' is not allowed; remove it and write a plain value")
            return None
        collection_tag = node.tag in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
        if isinstance(node, yaml.ScalarNode) == collection_tag:
            self.fail(node, f"the value does not fit its YAML tag '{tag}'; remove the tag")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                # an alias in a list is reported on the list's line, not its anchor's
                self.build(
                    item, (*path, i), depth + 1, self.lines[path] if id(item) in self.seen else None
                )
                for i, item in enumerate(node.value)
            ]
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: Key, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "YAML merge keys (<<) are not allowed; write the fields out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a field name must be plain text")
                continue
            if id(key_node) in self.seen:  # an alias as a field name, told at its value's line
                message = "YAML aliases (*name) are not allowed; write the name out"
                self.problems.append(YamlProblem(self.line_of(value_node), message))
                continue
            self.seen.add(id(key_node))  # so that an alias of it as a value is found too
            # a tag on a field name: one that says what the name is already changes nothing;
            # another is a problem, but the name is plain text all the same, so the rest of
            # the file is checked too
            if key_node.tag not in (_STR_TAG, _untagged(key_node.value)):
                tag = _short(key_node.tag)
                message = f"YAML tag '{tag}' is not allowed on a field name; remove it"
                self.mild.append(YamlProblem(self.line_of(key_node), message))
            key = str(key_node.value)
            if key in first_seen:
                message = f"duplicate field '{key}' (also on line {first_seen[key]}); keep only one"
                self.mild.append(YamlProblem(self.line_of(key_node), message))
                continue
            first_seen[key] = self.line_of(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1, first_seen[key])
        return result

    def build_scalar(self, node: yaml.ScalarNode, path: Key) -> Any:
        tag = node.tag
        plain = not node.style  # unquoted: libyaml gives "", PyYAML None
        if plain and tag == _STR_TAG:
            self.check_cut_short(node, path)
        if tag == _STR_TAG:
            return node.value
        if plain and tag != "tag:yaml.org,2002:null":
            self.written[path] = node.value
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return _scalars.construct_yaml_timestamp(node)
            except Exception:  # a tagged value PyYAML cannot parse: validation names it
                return InvalidDate(node.value)
        constructors = {
            "tag:yaml.org,2002:int": _scalars.construct_yaml_int,
            "tag:yaml.org,2002:float": _scalars.construct_yaml_float,
            "tag:yaml.org,2002:bool": _scalars.construct_yaml_bool,
            "tag:yaml.org,2002:null": _scalars.construct_yaml_null,
        }
        try:
            return constructors[tag](node)
        except Exception:  # '!!bool joint', '!!int ""': keep the text, validation names it
            return node.value

    def check_cut_short(self, node: yaml.ScalarNode, path: Key) -> None:
        """A hashtag in unquoted text ("Our #1 priority") starts a YAML comment, which
        silently drops the rest of the line: that is a problem, with the quoted fix."""
        end = node.end_mark
        if end.line >= len(self.text_lines):
            return
        rest = self.text_lines[end.line][end.column :]
        if not _HASHTAG.match(rest):
            return
        names = [part for part in path if isinstance(part, str)]
        field_name = names[-1] if names else "value"
        whole = f"{node.value} {rest.strip()}"
        dropped = rest.strip()
        self.mild.append(
            YamlProblem(
                self.first_line + end.line,
                f"'{field_name}' stops before '{dropped}', as YAML reads ' #' as the start of "
                f"a comment; put the whole value in quotes: {field_name}: {_quoted(whole)}",
            )
        )


def _quoted(text: str) -> str:
    """text as a quoted YAML value: double quotes, or single ones where it has " or \\."""
    if '"' in text or "\\" in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'


@dataclass(frozen=True)
class InvalidDate:
    """A value shaped like a date that is not one (2025-02-30): validation names it."""

    text: str

    def __str__(self) -> str:
        return self.text


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
