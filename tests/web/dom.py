"""A small, strict HTML tree for assertions (standard library only).

``parse`` records every end tag that does not close the element it should, and every element
left open, in ``Element.problems`` so a test can insist the markup is well formed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that never have an end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    @property
    def text(self) -> str:
        """The text content with runs of whitespace collapsed."""
        return " ".join("".join(self._strings()).split())

    def _strings(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield " " if child.tag in ("br", "td", "th", "dt", "dd", "li", "p") else ""
                yield from child._strings()

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.elements:
            yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> list:
        found = []
        for element in self.iter():
            if element is self or (tag and element.tag != tag):
                continue
            if class_ and class_ not in element.classes:
                continue
            wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
            if all(element.attrs.get(k) == v for k, v in wanted.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'}> class={class_!r} {attrs} in <{self.tag} id={self.id!r}>"
        return found[0]

    def has(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> bool:
        return bool(self.find_all(tag, class_, **attrs))

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)

    def closest(self, tag: str | None = None, class_: str | None = None) -> Element:
        element = self.parent
        while element is not None:
            if (not tag or element.tag == tag) and (not class_ or class_ in element.classes):
                return element
            element = element.parent
        raise AssertionError(f"no ancestor <{tag or '*'} class={class_!r}> of <{self.tag}>")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.root.problems.append(f"</{tag}> closes <{self.current.tag}>")
            element = self.current
            while element.parent is not None and element.tag != tag:
                element = element.parent
            if element.parent is None:
                return
            self.current = element
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(markup: str) -> Element:
    """The document (or fragment) as a tree; ``problems`` lists markup errors."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    element = builder.current
    while element is not builder.root:
        builder.root.problems.append(f"<{element.tag}> is never closed")
        element = element.parent  # type: ignore[assignment]
    return builder.root


def fragment_root(markup: str) -> Element:
    """The one element an htmx fragment consists of (nothing else but whitespace around it)."""
    assert "<html" not in markup and "<body" not in markup, "a fragment must not be a page"
    document = parse(markup)
    assert not document.problems, document.problems
    stray = [c for c in document.children if isinstance(c, str) and c.strip()]
    assert not stray, f"text outside the fragment's root: {stray}"
    assert len(document.elements) == 1, [e.tag for e in document.elements]
    return document.elements[0]


def field_box(document: Element, field_id: str) -> Element:
    """The ``div.field`` wrapping the control with this id (label, hint and error live there)."""
    return document.by_id(field_id).closest("div", "field")


def field_error(document: Element, field_id: str) -> str:
    """The error message shown inside the field's container ('' when there is none)."""
    errors = field_box(document, field_id).find_all("p", "error")
    return " ".join(e.text for e in errors)


def control_value(control: Element) -> str | None:
    """What the browser would submit for an input, select or textarea."""
    if control.tag == "select":
        options = control.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        return chosen[0].get("value", chosen[0].text) if chosen else None
    if control.tag == "textarea":
        return "".join(c for c in control.children if isinstance(c, str))
    if control.get("type") in ("checkbox", "radio") and "checked" not in control.attrs:
        return None
    return control.get("value") or ""


def form_values(form: Element) -> dict[str, str]:
    """Every named control of a form with the value it would submit."""
    values: dict[str, str] = {}
    for control in form.iter():
        if control.tag in ("input", "select", "textarea") and control.get("name"):
            if control.get("type") in ("submit", "button", "reset"):
                continue
            value = control_value(control)
            if value is not None:
                values[control.attrs["name"] or ""] = value
    return values


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
