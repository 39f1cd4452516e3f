"""The contract's paged lists: operations that take a `cursor` and answer a page of items."""

from string import Template
from typing import Any

from codegen.contract import Operation


def paged(operations: list[Operation]) -> list[Operation]:
    return [op for op in operations if any(p.name == "cursor" and p.location == "query" for p in op.params)]


def page_items(spec: dict[str, Any], operations: list[Operation]) -> dict[str, str]:
    """Each page model of a paged list, and the model of its items, by name, sorted."""
    schemas = spec["components"]["schemas"]
    found = {}
    for op in paged(operations):
        for page in op.success_models:
            found[page] = schemas[page]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]
    return dict(sorted(found.items()))


def python_pages(template: str, pages: dict[str, str]) -> str:
    """The Python SDK's pages.py: `iterate` and `aiterate` with one overload per page model."""
    models = sorted({*pages, *pages.values(), "Problem", "ValidationProblem"})

    def overloads(name: str, returns: str) -> str:
        return "".join(
            "@overload\n"
            f"def {name}(\n"
            f"    operation: Listing[{page}], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any\n"
            f") -> {returns}[{item}]: ...\n"
            for page, item in pages.items()
        ).rstrip("\n")

    return Template(template).substitute(
        models="\n".join(f"    {model}," for model in models),
        union=" | ".join(pages),
        pages=", ".join(pages),
        iterate_overloads=overloads("iterate", "Iterator"),
        aiterate_overloads=overloads("aiterate", "AsyncIterator"),
    )
