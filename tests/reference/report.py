#!/usr/bin/env python3
"""Writes docs/losses.md: one row per catalog entry (tests/reference/catalog.tsv).

    dotnet test tests/LossDsl.Tests -c Release --filter "FullyQualifiedName~CatalogFixtureTests"
    python3 tests/reference/report.py

Sources, all in the repository or its build output:
  * src/LossDsl.Losses/*.cs: the declarations (the `<b>Catalog</b>: ID` of each method's documentation, the
    expression of its [GeneratedLoss]);
  * src/LossDsl.Losses/obj/Release/net10.0/generated: the pass plans the scheduler chose (the generated files say them);
  * tests/reference/fixtures: the PyTorch fixtures of each method;
  * tests/LossDsl.Tests/bin/Release/net10.0/catalog-report: the worst relative error of each fixture run
    (CPU kernel, and GPU kernel on ILGPU's CPU accelerator);
  * NOT_DECLARED of tests/reference/cases_*.py: why an entry is not in the library.
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

DECLARATION = re.compile(
    r'((?:[ \t]*///[^\n]*\n)+)[ \t]*\[GeneratedLoss\((.*?)\)\]\s*public static partial (?:float|double) (\w+)\(', re.S)
LITERAL = re.compile(r'"""(.*?)"""|"((?:[^"\\]|\\.)*)"|(\w+)', re.S)


def _text(argument, constants):
    """The expression of an attribute argument: string literals and string constants joined by +."""
    parts = []
    for raw, plain, name in LITERAL.findall(argument):
        parts.append(raw if raw else plain if plain else constants.get(name, ""))
    return "".join(parts)


def declarations():
    """(class, method, catalog ids, expression) of every library method."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "LossDsl.Losses", "*.cs"))):
        text = open(path, encoding="utf-8").read()
        cls = re.search(r"public static partial class (\w+)", text)
        if not cls:
            continue
        constants = {}
        part = r'(?:"""[\s\S]*?"""|"(?:[^"\\]|\\.)*"|\w+)'
        for m in re.finditer(r'const string (\w+) =\s*(' + part + r'(?:\s*\+\s*' + part + r')*)\s*;', text):
            constants[m.group(1)] = _text(m.group(2), constants)
        for m in DECLARATION.finditer(text):
            doc, argument, name = m.groups()
            doc = doc.split("\n\n")[-1]
            doc_text = " ".join(line.strip()[3:].strip() for line in doc.strip().split("\n"))
            catalog = re.search(r"<b>Catalog</b>:(.*?)</para>", doc_text)
            ids = re.findall(r"\b([ERPS]\d\d)\b", catalog.group(1)) if catalog else []
            expr = _text(argument, constants)
            expr = " ".join(line.strip() for line in expr.split("\n") if line.strip())
            out.append((cls.group(1), name, ids, expr))
    return out


def plans():
    """method (Class.Method) -> the forward + backward plan printed in its generated file."""
    out = {}
    pattern = os.path.join(ROOT, "src", "LossDsl.Losses", "obj", "Release", "net10.0", "generated", "**", "LossDsl.Losses.*.Loss.g.cs")
    for path in glob.glob(pattern, recursive=True):
        base = os.path.basename(path)[len("LossDsl.Losses."):]
        cls, rest = base.split(".", 1)
        method = rest.split("_", 1)[0]
        text = open(path, encoding="utf-8").read()
        m = re.search(r"<b>Forward \+ backward pass plan:</b> (.*?)</para>", text.replace("\n        // ", " ").replace("\n        /// ", " "), re.S)
        if m:
            plan = re.sub(r"\s+", " ", m.group(1)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            out[f"{cls}.{method}"] = plan
    return out


def fixtures():
    out = {}
    for path in glob.glob(os.path.join(HERE, "fixtures", "*.json")):
        with open(path) as f:
            rec = json.load(f)
        out.setdefault(rec["method"], []).append(rec["id"])
    return out


def errors():
    """method -> {target: worst relative error}"""
    out = {}
    for path in glob.glob(os.path.join(ROOT, "tests", "LossDsl.Tests", "bin", "Release", "net10.0", "catalog-report", "*.tsv")):
        for line in open(path):
            fid, entry, method, target, worst = line.rstrip("\n").split("\t")
            d = out.setdefault(method, {})
            d[target] = max(d.get(target, 0.0), float(worst))
    return out


def not_declared():
    # Read without importing (the cases import torch; this script needs none).
    import ast
    out = {}
    for name in ("cases_elementwise", "cases_rowwise", "cases_pairwise", "cases_structured"):
        tree = ast.parse(open(os.path.join(HERE, name + ".py"), encoding="utf-8").read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "NOT_DECLARED" for t in node.targets):
                out.update(ast.literal_eval(node.value))
    return out


def main():
    catalog = []
    for line in open(os.path.join(HERE, "catalog.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        ident, name, classic, papers = line.rstrip("\n").split("\t")
        name = name.replace("`", "")
        catalog.append((ident, name, classic, papers))
    decls, plan, fix, err, missing = declarations(), plans(), fixtures(), errors(), not_declared()
    by_id = {}
    for cls, name, ids, expr in decls:
        for i in ids:
            by_id.setdefault(i, []).append((cls, name, expr))

    def cell(s):
        return s.replace("|", "\\|").replace("\n", " ")

    rows = []
    counts = {"declared": 0, "pytorch": 0, "missing": 0}
    for ident, name, classic, papers in catalog:
        methods = by_id.get(ident, [])
        paper = cell(papers) + (" [classic]" if classic else "")
        if not methods:
            reason = missing.get(ident, "not declared yet")
            rows.append(f"| {ident} | `{cell(name)}` | {paper} | — {cell(reason)} | not in the library | | |")
            counts["missing"] += 1
            continue
        counts["declared"] += 1
        first = True
        checked = False
        for cls, method, expr in methods:
            key = f"{cls}.{method}"
            n = len(fix.get(key, []))
            e = err.get(key, {})
            status = ["compiles"]
            if n:
                status.append(f"PyTorch: {n} case(s)")
                if "cpu" in e:
                    status.append("matches on CPU")
                    checked = True
                if "gpu-cpu-accelerator" in e:
                    status.append("on GPU (CPU accelerator)")
            else:
                status.append("no PyTorch fixture")
            worst = " / ".join(f"{e[t]:.1e}" for t in ("cpu", "gpu-cpu-accelerator") if t in e)
            decl = f"`{cls}.{method}`: `{cell(expr)}`"
            lead = f"| {ident} | `{cell(name)}` | {paper} " if first else "| | | "
            rows.append(f"{lead}| {decl} | {', '.join(status)} | {cell(plan.get(key, ''))} | {worst} |")
            first = False
        if checked:
            counts["pytorch"] += 1

    text = f"""# The loss catalog in LossDsl

One row per entry of the loss catalog (sections E, R, P and S; the catalog's formulas, sources and fusion notes are
summarized in each method's XML documentation). The declarations are the methods of the `LossDsl.Losses` library
(src/LossDsl.Losses); each is checked against PyTorch on the fixtures of tests/reference (PyTorch autograd in float64
on seeded inputs; `tests/LossDsl.Tests/Catalog/CatalogFixtureTests.cs`, tolerance 1e-4 relative for the float32
kernels, see its remarks for the exact measure).

Columns: **status** says whether the declaration compiles (every row here does: the library builds with warnings as
errors), how many PyTorch cases it has, and whether the CPU kernel and the GPU kernel (run on ILGPU's CPU accelerator
on one case per method, the largest under 8,192 input elements) match; **plan** is the forward + backward plan the scheduler chose, as the generated
file prints it; **worst error** is the largest relative error over the loss and every gradient element of all its
cases, CPU / GPU.

{counts['declared']} of {len(catalog)} entries are declared, {counts['pytorch']} of them checked against PyTorch;
{counts['missing']} are not in the library, each with its reason.

Regenerate this file after changing the library or the fixtures:

```
dotnet test tests/LossDsl.Tests -c Release --filter "FullyQualifiedName~CatalogFixtureTests"
python3 tests/reference/report.py
```

| id | name | papers | declaration | status | plan (forward + backward) | worst error |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
    with open(os.path.join(ROOT, "docs", "losses.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote docs/losses.md: {counts}")


if __name__ == "__main__":
    main()
