#!/usr/bin/env python3
"""Checks the size of the library's sources: no file over 600 lines, no function over 80.

    /usr/bin/python3 tests/architecture/check_sizes.py SOURCE_DIR
    /usr/bin/python3 tests/architecture/check_sizes.py --self-test

Every .cpp and .hpp under the library's layers (core/ optics/ analog/ datasets/ models/ sim/;
not tests/, bench/ or examples/) is read. A function's size is counted from the line of its
opening brace to the line of its closing brace, both included. Functions are found by brace
matching at namespace and class scope, after comments, string literals (raw ones included),
character literals and preprocessor lines are set aside: a brace that opens a namespace or a
class, struct, union or enum body is a scope and is looked into; a brace that follows a
parameter list (and its qualifiers, trailing return type or constructor initialiser list) opens
a function body, which is measured and not looked into (lambdas and local classes belong to the
function they are written in); any other brace (an initialiser) is skipped.

Prints one line per violation, `path:line: file is N lines (limit 600)` (line: the first one
beyond the limit) or `path:line: function 'name' is N lines (limit 80)` (line: where the
function's name is), and exits 1 if there is any.
"""
import pathlib
import re
import sys

LAYERS = ["core", "optics", "analog", "datasets", "models", "sim"]
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
# Prefixes of string and character literals (u8"x", LR"(x)", U'x', ...).
LITERAL_PREFIX = re.compile(r"(?:u8|u|U|L)?R?$")
CLASS_KEYS = {"class", "struct", "union", "enum"}
ACCESS = {"public", "private", "protected"}
STRING = '""'  # the token a string literal becomes


class Token:
    __slots__ = ("text", "line")

    def __init__(self, text, line):
        self.text = text
        self.line = line

    def __repr__(self):
        return f"{self.text}@{self.line}"


def skip_quoted(text, i, quote):
    """Index after the literal whose opening quote is at text[i]; escapes honoured."""
    i += 1
    while i < len(text) and text[i] != quote:
        if text[i] == "\\":
            i += 1
        elif text[i] == "\n":  # unterminated: stop at the line's end
            return i
        i += 1
    return i + 1


def tokens_of(text):
    """The tokens of C++ source text, without comments, preprocessor lines or literal contents."""
    out = []
    i, line, n = 0, 1, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            at_line_start = True
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if c == "#" and at_line_start:  # a directive, with its continuation lines
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    line += 1
                    i += 1
                i += 1
            continue
        at_line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            # A pp-number, digit separators included (1'000'000).
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_.'" or
                             (text[j] in "+-" and text[j - 1] in "eEpP")):
                j += 1
            out.append(Token(text[i:j], line))
            i = j
            continue
        m = IDENTIFIER.match(text, i)
        if m:
            word = m.group()
            j = m.end()
            if j < n and text[j] in "\"'" and LITERAL_PREFIX.match(word):
                if word.endswith("R") and text[j] == '"':  # a raw string: R"delim( ... )delim"
                    open_paren = text.find("(", j)
                    delim = text[j + 1:open_paren]
                    end = text.find(")" + delim + '"', open_paren)
                    end = n if end < 0 else end + len(delim) + 2
                    out.append(Token(STRING, line))
                    line += text.count("\n", j, end)
                    i = end
                    continue
                i = j  # u8"x", L'x': the literal itself is read next
                continue
            out.append(Token(word, line))
            i = j
            continue
        if c == '"' or c == "'":
            end = skip_quoted(text, i, c)
            out.append(Token(STRING if c == '"' else "''", line))
            line += text.count("\n", i, end)
            i = end
            continue
        if text.startswith("::", i) or text.startswith("->", i):
            out.append(Token(text[i:i + 2], line))
            i += 2
            continue
        out.append(Token(c, line))
        i += 1
    return out


def matching(tokens, i, opening, closing):
    """Index of the token closing the bracket opened at tokens[i]."""
    depth = 0
    for k in range(i, len(tokens)):
        t = tokens[k].text
        if t == opening:
            depth += 1
        elif t == closing:
            depth -= 1
            if depth == 0:
                return k
    return len(tokens) - 1


def without_template_heads(header):
    """The header without its leading `template <...>` parameter lists."""
    k = 0
    while k + 1 < len(header) and header[k].text == "template" and header[k + 1].text == "<":
        depth = 0
        k += 1
        while k < len(header):
            t = header[k].text
            depth += t == "<"
            depth -= t == ">"
            k += 1
            if depth == 0:
                break
    while k < len(header) and header[k].text in ACCESS:
        k += 2 if k + 1 < len(header) and header[k + 1].text == ":" else 1
    return header[k:]


def top_level(header):
    """(index, token) of the tokens of `header` outside parentheses, brackets and template
    argument lists (a `<` counts as one when it follows a name, as in std::vector<int>)."""
    parens = angles = 0
    previous = ""
    for k, tok in enumerate(header):
        t = tok.text
        if t in "([":
            if parens == 0 and angles == 0:
                yield k, tok
            parens += 1
        elif t in ")]":
            parens = max(parens - 1, 0)
            if parens == 0 and angles == 0:
                yield k, tok
        elif parens == 0 and t == "<" and (IDENTIFIER.fullmatch(previous) and previous != "operator"):
            angles += 1
        elif parens == 0 and t == ">" and angles > 0:
            angles -= 1
        elif parens == 0 and angles == 0:
            yield k, tok
        previous = t


def parameter_list_start(header):
    """Index of the `(` opening the parameter list of a function header, or None."""
    items = list(top_level(header))
    for pos, (k, tok) in enumerate(items):
        if tok.text == "operator":
            # operator() takes the second parenthesis; other operators the first after the symbol.
            rest = [j for j, t in items[pos + 1:] if t.text == "("]
            if not rest:
                return None
            first = rest[0]
            if first + 1 < len(header) and header[first + 1].text == ")" and first == k + 1:
                return rest[1] if len(rest) > 1 else None
            return first
        if tok.text == "(":
            return k
    return None


def function_name(header, paren):
    """The (qualified) name before the parameter list at header[paren]."""
    k = paren - 1
    operator = [j for j in range(max(paren - 4, 0), paren) if header[j].text == "operator"]
    if operator:  # operator=, operator(), operator<<, operator bool, ...
        j = operator[-1]
        symbol = "".join(t.text for t in header[j + 1:paren])
        name = "operator" + (" " + symbol if IDENTIFIER.match(symbol) else symbol)
        k = j - 1
    else:
        while k >= 0 and header[k].text == ">":  # a specialisation: f<int>(...)
            k = matching_back(header, k) - 1
        if k < 0 or not IDENTIFIER.fullmatch(header[k].text):
            return "?"
        name = header[k].text
        if k > 0 and header[k - 1].text == "~":
            name = "~" + name
            k -= 1
        k -= 1
    parts = [name]
    while k >= 1 and header[k].text == "::":
        end = k  # the qualifier: a name, or a template's name and arguments (AccelModel<Real>)
        k -= 1
        if header[k].text == ">":
            k = matching_back(header, k) - 1
        if k < 0 or not IDENTIFIER.fullmatch(header[k].text):
            break
        parts.insert(0, "".join(t.text for t in header[k:end]))
        k -= 1
    return "::".join(parts)


def matching_back(header, k):
    depth = 0
    for j in range(k, -1, -1):
        depth += header[j].text == ">"
        depth -= header[j].text == "<"
        if depth == 0:
            return j
    return 0


def has_initialiser_list(header):
    """Whether a constructor's initialiser list has begun: a `:` after the parameter list."""
    start = parameter_list_start(header)
    if start is None:
        return False
    close = matching(header, start, "(", ")")
    return any(t.text == ":" for t in header[close + 1:])


def kind_of(header):
    """What the brace after `header` opens: 'namespace', 'class', 'function' or 'data'."""
    texts = [t.text for t in header]
    if "namespace" in texts or (texts[:1] == ["extern"] and STRING in texts[1:2]):
        return "namespace"
    core = without_template_heads(header)
    items = [t.text for _, t in top_level(core)]
    if "(" not in items:
        return "class" if CLASS_KEYS & set(items) else "data"
    before_parameters = items[:items.index("(")]
    if "=" in before_parameters and "operator" not in before_parameters:
        return "data"
    return "function"


def functions_in(tokens):
    """(name, name line, opening-brace line, closing-brace line) of every function."""
    found = []
    scopes = []  # names of the enclosing classes (None for a namespace)
    header = []
    parens = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.text
        if t in "([":
            parens += 1
        elif t in ")]":
            parens = max(parens - 1, 0)
        if t == ";" and parens == 0:
            header = []
        elif t == "}":
            if scopes:
                scopes.pop()
            header = []
        elif t == "{":
            previous = header[-1].text if header else ""
            member_init = (parens == 0 and has_initialiser_list(header) and
                           (IDENTIFIER.fullmatch(previous) or previous == ">"))
            if parens > 0 or member_init:  # a default argument or a member's braced initialiser
                close = matching(tokens, i, "{", "}")
                header += tokens[i:close + 1]
                i = close + 1
                continue
            kind = kind_of(header)
            if kind == "namespace":
                scopes.append(None)
                header = []
            elif kind == "class":
                core = without_template_heads(header)
                names = [x.text for x in core if IDENTIFIER.fullmatch(x.text) and x.text not in CLASS_KEYS]
                scopes.append(names[0] if names else "?")
                header = []
            else:
                close = matching(tokens, i, "{", "}")
                if kind == "function":
                    core = without_template_heads(header)
                    paren = parameter_list_start(core)
                    name = function_name(core, paren) if paren is not None else "?"
                    classes = [s for s in scopes if s]
                    if classes and "::" not in name:
                        name = "::".join(classes + [name])
                    name_line = core[paren - 1].line if paren else tok.line
                    found.append((name, name_line, tok.line, tokens[close].line))
                    header = []
                else:
                    header += tokens[i:close + 1]
                i = close + 1
                continue
        else:
            header.append(tok)
        i += 1
    return found


def check_text(rel, text):
    findings = []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_FILE_LINES:
        findings.append(f"{rel}:{MAX_FILE_LINES + 1}: file is {lines} lines (limit {MAX_FILE_LINES})")
    for name, name_line, first, last in functions_in(tokens_of(text)):
        size = last - first + 1
        if size > MAX_FUNCTION_LINES:
            findings.append(f"{rel}:{name_line}: function '{name}' is {size} lines (limit {MAX_FUNCTION_LINES})")
    return findings


def check(root):
    findings = []
    for layer in LAYERS:
        base = root / layer
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.suffix in (".cpp", ".hpp") and p.is_file()):
            findings += check_text(path.relative_to(root), path.read_text(encoding="utf-8"))
    return findings


def self_test():
    """The checker on small texts whose functions are known."""
    long_body = "\n".join(f"    x += {k};" for k in range(80))  # 80 lines + 2 braces = 82
    cases = {
        "a function over the limit": (f"int f() {{\n{long_body}\n}}\n", [("f", 82)]),
        "a member function in a class body": (
            f"namespace a {{\nstruct S : B<int> {{\n    S() : x_{{1}}, y_(2) {{}}\n    void g() const {{\n{long_body}\n    }}\n}};\n}}\n",
            [("S::S", 1), ("S::g", 82)]),
        "braces in strings, raw strings, characters and comments": (
            'void f() {\n  const char* s = "}{";\n  auto r = R"x(}\n})x";\n  char c = \'}\'; // }\n  /* } */ int n = 1\'000;\n}\n'
            "void g() {}\n",
            [("f", 7), ("g", 1)]),
        "initialisers and default arguments are not functions": (
            "const int table[] = {1, 2};\nstruct L { int v = 0; std::size_t m = std::size_t{1} << 4; void h(R r = {}) {} };\n"
            "template <class T> T Q::read(const R& r) const {\n  return T{};\n}\nHandle& Handle::operator=(Handle&& o) noexcept {\n}\n",
            [("L::h", 1), ("Q::read", 3), ("Handle::operator=", 2)]),
        "members of a class template defined outside it": (
            "template <class Real>\ndouble M<Real>::loss(int a) const {\n  return a;\n}\n", [("M<Real>::loss", 3)]),
        "lambdas belong to their function": (
            "void f() {\n  auto g = [](int a) {\n    return a;\n  };\n}\n", [("f", 5)]),
    }
    failures = []
    for what, (text, expected) in cases.items():
        got = [(name, last - first + 1) for name, _, first, last in functions_in(tokens_of(text))]
        if got != expected:
            failures.append(f"self-test '{what}': found {got}, expected {expected}")
    long_file = "\n" * (MAX_FILE_LINES + 1)
    if not check_text("x.cpp", long_file):
        failures.append("self-test: a file over the limit was not reported")
    for f in failures:
        print(f)
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    findings = check(pathlib.Path(argv[1]))
    for f in findings:
        print(f)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
