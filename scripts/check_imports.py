#!/usr/bin/env python3
"""Checks the layering of the engine (crate/src) and the page (www/src).

Two rules, for Rust and TypeScript alike:
- no file-level import circles (a file never reaches itself through its imports);
- lower layers never import upper ones (the tables below; ARCHITECTURE.md explains them).

A Rust path is resolved to the deepest file it names (`crate::ml::tuning::train` is
`ml/tuning.rs`), seeing through a `mod.rs` that re-exports a child's item with `pub use`.
Test modules (`#[cfg(test)] mod tests { ... }` at the end of a file) and `crate::testing`
are test support and are not counted. Prints each problem and exits 1 if there is any.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUST_SRC = ROOT / "crate" / "src"
WWW_SRC = ROOT / "www" / "src"

# Engine layers, lowest first: a module may import its own layer's leaves and anything in
# a lower layer. `None` marks modules that may import anything (the outermost adapters).
RUST_LAYERS: list[set[str]] = [
    {"error", "clock", "temporal", "memory", "job", "random", "params", "decimal_digits"},
    {"frame"},
    {"io"},
    {"sql"},
    {"clean", "profile"},
    {"ml", "chart"},
    {"api", "warm_up"},
]
RUST_ANY = {"wasm", "datagen", "bin", "testing", "lib"}
# Modules of the same layer that must not import each other.
RUST_SIBLINGS_APART = True

# Page: what each kind of folder may import. Features are folders of www/src; inside a
# feature, `shared/` is plain data and functions (runs anywhere), `worker/` runs in the
# engine worker, `client/` on the main thread.
WWW_LEAVES = {"contract", "ui"}  # import no feature code


def rust_files() -> list[Path]:
    return sorted(p for p in RUST_SRC.rglob("*.rs"))


def module_of(path: Path) -> list[str]:
    rel = path.relative_to(RUST_SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def file_of(module: list[str]) -> Path | None:
    if not module:
        return RUST_SRC / "lib.rs"
    base = RUST_SRC.joinpath(*module)
    for candidate in (base.with_suffix(".rs"), base / "mod.rs"):
        if candidate.exists():
            return candidate
    return None


def strip_tests(text: str) -> str:
    match = re.search(r"#\[cfg\(test\)\]\s*mod \w+ \{", text)
    return text[: match.start()] if match else text


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def expand_use_tree(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` -> [`a::b`, `a::c::d`, `a::c::e`]."""
    tree = re.sub(r"\s+", "", tree)
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
    if start is None:
        return [tree.split(" as ")[0]] if tree else []
    prefix = tree[:start]
    inner = tree[start + 1 : tree.rindex("}")]
    items, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current += ch
    items.append(current)
    out = []
    for item in items:
        for path in expand_use_tree(item):
            if path == "self":
                out.append(prefix.rstrip(":"))
            elif path:
                out.append(prefix + path)
    return out


def reexports(path: Path) -> dict[str, list[str]]:
    """`pub use child::Item;` in a module file: Item -> the child's module path."""
    text = strip_comments(path.read_text())
    out: dict[str, list[str]] = {}
    here = module_of(path)
    for tree in re.findall(r"\bpub use ([^;]+);", text):
        for full in expand_use_tree(tree):
            parts = full.split("::")
            if parts[0] == "crate":
                target = parts[1:-1]
            elif parts[0] == "self":
                target = here + parts[1:-1]
            elif parts[0] == "super":
                target = here[:-1] + parts[1:-1]
            else:
                target = here + parts[:-1]
            if file_of(target) is not None:
                out[parts[-1]] = target
    return out


_reexport_cache: dict[Path, dict[str, list[str]]] = {}


def resolve(segments: list[str]) -> Path | None:
    """The deepest file a `crate::...` path names, through re-exports."""
    found, module = None, []
    for i, segment in enumerate(segments):
        candidate = file_of(module + [segment])
        if candidate is None:
            if found is not None:
                table = _reexport_cache.setdefault(found, reexports(found))
                if segment in table and table[segment] != module:
                    return resolve(table[segment] + segments[i + 1 :]) or found
            break
        module, found = module + [segment], candidate
    return found


def rust_imports(path: Path) -> set[Path]:
    text = strip_comments(strip_tests(path.read_text()))
    here = module_of(path)
    targets: set[Path] = set()
    paths: list[list[str]] = []
    for tree in re.findall(r"\buse\s+([^;]+);", text):
        for full in expand_use_tree(tree):
            parts = full.split("::")
            if parts[0] in ("crate", "super", "self"):
                paths.append(parts)
    for inline in re.findall(r"(?<![\w:])((?:crate|super)(?:::\w+)+)", text):
        paths.append(inline.split("::"))
    for parts in paths:
        if parts[0] == "crate":
            segments = parts[1:]
        elif parts[0] == "self":
            segments = here + parts[1:]
        else:
            ups = 0
            while ups < len(parts) and parts[ups] == "super":
                ups += 1
            segments = here[: len(here) - ups] + parts[ups:]
        target = resolve(segments)
        if target is not None and target != path:
            targets.add(target)
    return targets


def rust_top(path: Path) -> str:
    module = module_of(path)
    return module[0] if module else "lib"


def rust_rank(top: str) -> int | None:
    for rank, layer in enumerate(RUST_LAYERS):
        if top in layer:
            return rank
    return None


def check_rust(problems: list[str]) -> dict[Path, set[Path]]:
    graph = {p: rust_imports(p) for p in rust_files()}
    for source, targets in graph.items():
        top = rust_top(source)
        if top in RUST_ANY or top == "testing":
            continue
        rank = rust_rank(top)
        for target in targets:
            other = rust_top(target)
            if other == top or other == "lib":
                continue
            if other == "testing":
                continue
            other_rank = rust_rank(other)
            if rank is None or other_rank is None:
                problems.append(f"{rel(source)}: `{top}` or `{other}` has no layer in scripts/check_imports.py")
            elif other_rank > rank or (other_rank == rank and rank > 0 and RUST_SIBLINGS_APART):
                problems.append(f"{rel(source)} ({top}) imports {rel(target)} ({other}): a lower layer imports an upper one")
    return graph


def ts_files() -> list[Path]:
    return sorted(p for p in WWW_SRC.rglob("*.ts") if not p.name.endswith(".d.ts"))


def ts_imports(path: Path) -> set[Path]:
    text = path.read_text()
    out = set()
    for spec in re.findall(r"""(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]""", text):
        target = (path.parent / spec).resolve()
        for candidate in (target.with_suffix(".ts"), target / "index.ts", target):
            if candidate.suffix == ".ts" and candidate.exists():
                out.add(candidate)
                break
    return out


def ts_place(path: Path) -> tuple[str, str | None]:
    """(feature, kind): kind is client / worker / shared, or None for flat folders."""
    parts = path.relative_to(WWW_SRC).parts
    feature = parts[0] if len(parts) > 1 else "main"
    kind = parts[1] if len(parts) > 2 and parts[1] in ("client", "worker", "shared") else None
    return feature, kind


def check_ts(problems: list[str]) -> dict[Path, set[Path]]:
    graph = {p: ts_imports(p) for p in ts_files()}
    for source, targets in graph.items():
        feature, kind = ts_place(source)
        for target in targets:
            other_feature, other_kind = ts_place(target)
            if feature in WWW_LEAVES and other_feature not in WWW_LEAVES:
                problems.append(f"{rel(source)} imports {rel(target)}: `{feature}` is a leaf and imports no feature code")
            if kind == "shared" and other_kind in ("client", "worker"):
                problems.append(f"{rel(source)} imports {rel(target)}: shared code imports only shared code")
            if kind == "worker" and other_kind == "client":
                problems.append(f"{rel(source)} imports {rel(target)}: worker code never imports client code")
            if kind == "client" and other_kind == "worker":
                problems.append(f"{rel(source)} imports {rel(target)}: client code talks to the worker through its API, not its modules")
    return graph


def cycles(graph: dict[Path, set[Path]]) -> list[list[Path]]:
    """Strongly connected components with more than one file (Tarjan)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    found: list[list[Path]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(node: Path) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def rel(path: Path) -> str:
    return os.path.relpath(path, ROOT)


def main() -> int:
    problems: list[str] = []
    for graph in (check_rust(problems), check_ts(problems)):
        for component in cycles(graph):
            problems.append("import circle: " + " ↔ ".join(rel(p) for p in component))
    problems = list(dict.fromkeys(problems))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} layering problem(s); see ARCHITECTURE.md")
        return 1
    print("imports: no circles, no lower layer importing an upper one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
