/* Measures for tests/e2e/test_layout.py, in the real layout: the text lines an element's
   text takes, and the words split over two lines or spilling out of their block. */
(() => {
    function lineCount(rects) {
        const lines = [];
        for (const r of [...rects].filter(r => r.width > 0).sort((a, b) => a.top - b.top)) {
            if (!lines.some(l => r.top < l.bottom - 1 && r.bottom > l.top + 1)) lines.push(r);
        }
        return lines.length;
    }
    window.textLines = element => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return lineCount(range.getClientRects());
    };
    // Words broken over two lines, or spilling out of their block.
    window.brokenWords = root => {
        const broken = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            // Not shown, or only to screen readers.
            const parent = node.parentElement;
            if (!parent.offsetParent || parent.closest(".sr-only")) continue;
            // Visually hidden (clipped to a pixel) text is for screen readers only.
            if (parent.getBoundingClientRect().width <= 1) continue;
            // A hyphen is a line-break opportunity, like a space.
            for (const match of node.data.matchAll(/[^\s\u00a0-]+/g)) {
                // Addresses may wrap, and Chinese breaks between any two characters.
                if (/[@\/\u3000-\u9fff\uff00-\uffef]/.test(match[0])) continue;
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                if (lineCount(range.getClientRects()) > 1) broken.push(match[0]);
                // A word wider than its block spills out of it (or is cut off) instead.
                let block = parent;
                while (getComputedStyle(block).display.startsWith("inline")) {
                    block = block.parentElement;
                }
                const style = getComputedStyle(block);
                const right = block.getBoundingClientRect().right
                    - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
                if (range.getBoundingClientRect().right > right + 1) {
                    broken.push(match[0] + " (spills)");
                }
            }
        }
        return broken;
    };
})()
