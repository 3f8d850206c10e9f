// Lints Python files with ruff's WebAssembly build (no PyPI here) and prints one JSON object per file:
//   {"path": ..., "diagnostics": [{"code", "message", "row", "column"}]}
// Usage: node tools/lint/ruff-check.mjs --select AIR,F,E9 FILE...   (exit 0; the caller judges the findings)
// Rules are ruff's own (e.g. AIR301/AIR311/AIR302: Airflow 3 removals and moved imports); preview rules are on,
// as some AIR rules are preview-only. Target Python 3.10, the oldest Airflow 3 supports.
import { readFileSync } from "node:fs";
import { Workspace, PositionEncoding } from "@astral-sh/ruff-wasm-nodejs";

const args = process.argv.slice(2);
const at = args.indexOf("--select");
const select = at >= 0 ? args.splice(at, 2)[1].split(",") : ["AIR"];
if (args.length === 0) {
  console.error("usage: ruff-check.mjs [--select RULES] FILE...");
  process.exit(2);
}
const workspace = new Workspace(
  {
    "target-version": "py310",
    "line-length": 120,
    lint: { select, preview: true, isort: { "known-first-party": ["jobs_pipeline"] } },
  },
  PositionEncoding.Utf8,
);
for (const path of args) {
  const diagnostics = workspace.check(readFileSync(path, "utf8")).map((d) => ({
    code: d.code, message: d.message, row: d.start_location.row, column: d.start_location.column,
  }));
  console.log(JSON.stringify({ path, diagnostics }));
}
