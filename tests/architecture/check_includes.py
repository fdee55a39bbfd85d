#!/usr/bin/env python3
"""Checks every #include of the sources against the layer graph of docs/architecture.md.

    /usr/bin/python3 tests/architecture/check_includes.py SOURCE_DIR

A library file of layer L may include headers of L and of the layers L depends on; inside
sim/, only sim/cli/ may include sim/cli/ (terminal output belongs to the command line).
Tests, benchmarks and examples may include the layer they test and those below it:
tests/<layer>/ follows its layer's rule (tests/sim/ may include everything), tests/support/
and tests/core/ follow core's. Any other form of include of our headers (a relative
"../x.hpp", or a layer path without the accel/ prefix) is an error as well. Prints one line
per violation, `file:line: <what> (allowed: ...)`, and exits 1 if there is any.
"""
import pathlib
import re
import sys

# The allowed graph: each layer and the layers it may use (besides itself).
DEPENDS = {
    "core": [],
    "optics": ["core"],
    "analog": ["core"],
    "datasets": ["core"],
    "models": ["core", "optics", "analog", "datasets"],
    "sim": ["core", "optics", "analog", "datasets", "models"],
}
LAYERS = list(DEPENDS)
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def allowed(layer):
    return {layer, *DEPENDS[layer]}


def owner(rel):
    """The layer whose rule applies to the file at `rel` (a path relative to the source root)."""
    parts = rel.parts
    if parts[0] in DEPENDS:
        return parts[0]
    if parts[0] == "tests" and len(parts) > 2 and parts[1] in DEPENDS:
        return parts[1]
    if parts[0] == "tests" and len(parts) > 2 and parts[1] == "support":
        return "core"
    return "sim"  # tests/main.cpp, tests/fuzz, bench/, examples/: may use the whole library


def check(root):
    findings = []
    files = []
    for top in LAYERS + ["tests", "bench", "examples"]:
        base = root / top
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.suffix in (".cpp", ".hpp") and "mnist" not in p.parts]
    for path in sorted(files):
        rel = path.relative_to(root)
        layer = owner(rel)
        in_library = rel.parts[0] in DEPENDS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(2)
            where = f"{rel}:{number}"
            if target.startswith("accel/"):
                tparts = target.split("/")
                tlayer = tparts[1] if len(tparts) > 2 else ""
                if tlayer not in DEPENDS:
                    findings.append(f"{where}: includes {target}, which names no layer")
                elif tlayer not in allowed(layer):
                    findings.append(f"{where}: {layer} -> {tlayer} ({target}); {layer} may include "
                                    f"{', '.join(sorted(allowed(layer)))}")
                elif (in_library and tlayer == "sim" and len(tparts) > 3 and tparts[2] == "cli"
                      and rel.parts[:2] != ("sim", "cli")):
                    findings.append(f"{where}: sim/{rel.parts[1]} -> sim/cli ({target}); only the command line prints")
            elif m.group(1) == '"' and (target.split("/")[0] in DEPENDS or target.startswith("..")):
                findings.append(f"{where}: includes \"{target}\"; our headers are included as \"accel/<layer>/...\"")
    return findings


LAYER_CALL = re.compile(r"accel_layer\((\w+)\s+SOURCES[^)]*?(?:LAYERS\s+([\w ]+))?\)", re.S)


def check_targets(root):
    """The CMake targets must link exactly the layers of the graph: accel_layer(NAME ... LAYERS ...)."""
    findings = []
    for layer in LAYERS:
        cmake = root / layer / "CMakeLists.txt"
        text = cmake.read_text(encoding="utf-8") if cmake.is_file() else ""
        calls = [m for m in LAYER_CALL.finditer(text) if m.group(1) == layer]
        if not calls:
            findings.append(f"{layer}/CMakeLists.txt: no accel_layer({layer} ...) target")
            continue
        linked = sorted((calls[0].group(2) or "").split())
        if linked != sorted(DEPENDS[layer]):
            findings.append(f"{layer}/CMakeLists.txt: accel_{layer} links {', '.join(linked) or 'no layer'}; "
                            f"the graph says {', '.join(sorted(DEPENDS[layer])) or 'no layer'}")
    return findings


def self_test():
    """The checker must catch a wrong-way include, naming file, line and direction."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "analog").mkdir()
        (root / "analog" / "x.cpp").write_text('#include "accel/core/a.hpp"\n#include "accel/sim/config/b.hpp"\n'
                                               '#include "optics/c.hpp"\n', encoding="utf-8")
        found = check(root)
        expected = ["analog/x.cpp:2: analog -> sim", 'analog/x.cpp:3: includes "optics/c.hpp"']
        missing = [e for e in expected if not any(f.startswith(e) for f in found)]
        if missing or len(found) != 2:
            print("self-test failed: expected findings starting with", expected, "got", found)
            return 1
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--self-test":
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    findings = check(root) + check_targets(root)
    for f in findings:
        print(f)
    if findings:
        print(f"{len(findings)} include(s) break the layer graph of docs/architecture.md", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
