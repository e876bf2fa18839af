"""Accessibility checks for a Playwright page: axe-core and horizontal overflow.

axe-core's `axe.min.js` comes inside the `axe-playwright-python` wheel (dev extra), so nothing
is downloaded when the tests run. It is injected into the page and `axe.run()` checks the
rendered DOM in the real browser: computed colours (contrast), the accessibility tree (names,
roles, labels), landmarks, ARIA.
"""

from axe_playwright_python.base import AXE_SCRIPT

BLOCKING = ("serious", "critical")


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """axe-core's violations on the page as it is now, those of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    """Each violation's id, impact and help, and the CSS targets of the nodes at fault."""
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      {target}  — {summary}"[:400])
    return "\n".join(lines)


def horizontal_overflow(page, width: int) -> str | None:
    """What sticks out past `width` CSS pixels (None when the page does not scroll sideways):
    the document's scroll width and the widest elements that overflow, to find the culprit."""
    found = page.evaluate(
        """width => {
            const scrollWidth = document.documentElement.scrollWidth;
            if (scrollWidth <= width + 1) return null;
            const wide = [];
            for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                // A box past the edge, or content (a long word) spilling out of its box.
                const spill = getComputedStyle(el).overflowX === "visible"
                    ? el.scrollWidth - el.clientWidth : 0;
                const right = Math.max(box.right, box.left + el.clientWidth + spill);
                if (box.width > 0 && right > width + 1) {
                    const id = el.id ? "#" + el.id : "";
                    const cls = typeof el.className === "string" && el.className.trim()
                        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                    wide.push([Math.round(right), el.tagName.toLowerCase() + id + cls]);
                }
            }
            wide.sort((a, b) => b[0] - a[0]);
            return {scrollWidth, wide: wide.slice(0, 8)};
        }""",
        width,
    )
    if found is None:
        return None
    culprits = ", ".join(f"{selector} (right edge {right}px)" for right, selector in found["wide"])
    return f"scrollWidth {found['scrollWidth']} > {width}: {culprits}"
