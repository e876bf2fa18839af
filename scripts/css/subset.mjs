// PurgeCSS over one stylesheet, then CSSO: node subset.mjs JOB.json, where the job names the
// stylesheet, the files whose words may be class names (`content`), the safelist (regular
// expressions, as strings), the output and its header. scripts/css_subset.py writes the job.
import { readFileSync, writeFileSync } from "node:fs";
import { minify } from "csso";
import { PurgeCSS } from "purgecss";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const [result] = await new PurgeCSS().purge({
    css: [job.css],
    content: job.content,
    safelist: { standard: job.safelist.map((pattern) => new RegExp(pattern)) },
    // Every @font-face and @keyframes stays: Font Awesome names its font and animations
    // through custom properties, where PurgeCSS does not see them used.
    fontFace: false,
    keyframes: false,
});
// Whitespace and comments only: rules keep their order and their selectors. The output lives
// elsewhere than its source: relative addresses (Font Awesome's fonts) are rebased.
const { css } = minify(result.css.replaceAll('url("../', `url("${job.rebase}`), {
    restructure: false,
    comments: false,
});
// @charset must stay first, before the header.
const charset = css.match(/^@charset "[^"]+";/)?.[0] ?? "";
writeFileSync(job.output, charset + "\n" + job.header + css.slice(charset.length) + "\n");
