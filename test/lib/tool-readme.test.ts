// The README's "Tool webhooks" section stays true to the code and to the measured numbers
// (bench/results.json, written by `npm run bench -- --only tool`); its examples compile in
// test/app/readme.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCell } from '../../bench/report';
import type { ToolBenchResults } from '../../bench/tool.bench';
import { MAX_TOOL_ANSWER_BYTES, TOOL_ANSWER_MARGIN_MS } from '../../lambda/runtime/tool';
import { MAX_VIOLATIONS } from '../../lambda/runtime/tool-schema';
import { DEFAULT_TOOL_IDEMPOTENCY_WINDOW, DEFAULT_TOOL_TIMEOUT, MAX_TOOL_TIMEOUT } from '../../lib';
import { TOOL_ALARMS } from '../../lib/private/tool-catalog';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('\n## Tool webhooks\n');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const results = (
  JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as {
    tool: ToolBenchResults & { loadAverage1m: number };
  }
).tool;

/** Rows (trimmed cells) of the markdown table whose header starts with `firstHeader`. */
function table(firstHeader: string): string[][] {
  const lines = section.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`| ${firstHeader}`));
  expect(at).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

test('the section exists and opens with the one-tool example', () => {
  expect(start).toBeGreaterThan(-1);
  expect(section.indexOf("happ.addTool('lookup-order'")).toBeLessThan(section.indexOf('### '));
});

test('the alarm table lists every tool alarm with the severity and runbook the code gives it', () => {
  const rows = table('`tool.alarms.…`');
  expect(rows.map((r) => r[0])).toEqual(Object.keys(TOOL_ALARMS).map((k) => `\`${k}\``));
  for (const [name, entry] of Object.entries(TOOL_ALARMS)) {
    const row = rows.find((r) => r[0] === `\`${name}\``)!;
    expect(row[2]).toBe(entry.severity);
    expect(row[3]).toBe(entry.runbook);
  }
});

test('the defaults and limits it states are the code’s', () => {
  const options = Object.fromEntries(table('Option').map((r) => [r[0], r]));
  expect(options['`timeout`']![1]).toBe(DEFAULT_TOOL_TIMEOUT.toHumanString());
  expect(options['`timeout`']![2]).toBe(`1 second to ${MAX_TOOL_TIMEOUT.toHumanString()}`);
  expect(options['`idempotencyWindow`']![1]).toBe(DEFAULT_TOOL_IDEMPOTENCY_WINDOW.toHumanString());
  expect(section).toContain(`answers ${TOOL_ANSWER_MARGIN_MS} ms before it`);
  expect(section).toContain(`(at most ${MAX_VIOLATIONS})`);
  expect(MAX_TOOL_ANSWER_BYTES).toBe(6 * 1024 * 1024 - 64 * 1024);
  expect(section).toContain('at most 6 MB less 64 KiB');
});

test('the design table and figures are the ones bench/results.json holds', () => {
  const us = (v: number) => `${formatCell(v)} µs`;
  const perCall = table('Per call, 4 KiB of parameters');
  expect(perCall.map((r) => r.slice(1))).toEqual([
    [us(results.perCall.bare.p50Us), us(results.perCall.bare.p99Us)],
    [us(results.perCall.helperWithSchema.p50Us), us(results.perCall.helperWithSchema.p99Us)],
    [us(results.perCall.proxy.p50Us), us(results.perCall.proxy.p99Us)],
  ]);
  const cold = table('Cold start');
  const c = results.coldStart;
  expect(cold.map((r) => r.slice(1))).toEqual(
    (['bare', 'wrapped', 'proxy'] as const).map((n) => [
      `${formatCell(c[n].bytes)} (${formatCell(c[n].gzipBytes)})`,
      formatCell(c[n].requireMsP50),
    ]),
  );
  const at100 = results.costPerMillion.find((r) => r.toolMs === 100)!;
  for (const text of [
    `load average ${results.loadAverage1m}`,
    `costs ${results.helperOverheadUs.p50} µs at p50`,
    `(p99 ${results.helperOverheadUs.p99.toLocaleString('en-US')} µs in this run`,
    `costs ${Math.round(results.proxyOverheadUs.p50 / results.helperOverheadUs.p50)} times that`,
    `${c.wrappedVsBare.requireMs} times a bare handler's`,
    `(${c.proxyPlusBareVsWrapped.requireMs} times (a)'s require`,
    `${at100.ratio} times the cost`,
    `(${at100.oneHop} vs ${at100.proxy} USD`,
  ]) {
    expect(section.replace(/\s+/g, ' ')).toContain(text);
  }
  // The sentence about the 1 ms target says what this run shows.
  expect(section.replace(/\s+/g, ' ')).toContain(
    results.helperOverheadUs.p99 < 1000
      ? 'the target of 1 ms at p99 was met'
      : 'the target of 1 ms at p99 was not met',
  );
});
