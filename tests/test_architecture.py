"""The shape of the code: families declared once, no import cycles, modules of a readable size.
(The layers themselves are import-linter's contracts in pyproject.toml, run by scripts/test.)"""

import re
from pathlib import Path

import grimp

from ganvis.engine.family import all_families

ROOT = Path(__file__).resolve().parents[1] / "ganvis"
MAX_LINES = 310  # "about 300": a module should fit a few screens


def _modules():
    return sorted(p for p in ROOT.rglob("*.py"))


def test_no_code_outside_a_familys_own_module_tests_a_model_name():
    names = "|".join(re.escape(f.name) for f in all_families())
    quoted = rf"""["']({names})["']"""
    # a comparison or membership test against a family's name, either way round
    test = re.compile(rf"""(==|!=|\bin)\s*\(?\s*{quoted}|{quoted}\s*(==|!=|\bin\b)""")
    found = []
    for path in _modules():
        if path.parent.name == "families":
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if test.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(ROOT.parent)}:{i}: {line.strip()}")
    assert not found, "ask the Family instead:\n" + "\n".join(found)


def test_the_name_test_finds_what_it_should():
    """The check above is not vacuous: it catches the forms it is meant to catch."""
    names = "|".join(re.escape(f.name) for f in all_families())
    quoted = rf"""["']({names})["']"""
    test = re.compile(rf"""(==|!=|\bin)\s*\(?\s*{quoted}|{quoted}\s*(==|!=|\bin\b)""")
    for line in ('if config.model == "saae":', "x = m in ('gan', 'dcgan')",
                 'if "ae" != model:'):
        assert test.search(line), line
    assert not test.search('raise ConfigError("a saae needs labels")')


def test_there_are_no_import_cycles_not_even_through_imports_inside_functions():
    graph = grimp.build_graph("ganvis", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == module or imported.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own modules
            if graph.chain_exists(importer=imported, imported=module):
                chain = graph.find_shortest_chain(importer=imported, imported=module)
                cycles.append(" -> ".join((module, *chain)))
    assert not cycles, "\n".join(cycles)


def test_modules_stay_readable_and_say_what_they_own():
    long, bare = [], []
    for path in _modules():
        text = path.read_text()
        name = str(path.relative_to(ROOT.parent))
        if len(text.splitlines()) > MAX_LINES:
            long.append(f"{name}: {len(text.splitlines())} lines")
        if not text.lstrip().startswith('"""'):
            bare.append(name)
    assert not long, "split where a concept of its own appears:\n" + "\n".join(long)
    assert not bare, "open with a docstring saying what the module owns:\n" + "\n".join(bare)
