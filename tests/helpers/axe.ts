// Accessibility: axe-core (the engine behind Lighthouse's and DevTools' audits) run on the page as
// it stands. Its source is evaluated through the DevTools protocol, which the app's CSP (no
// inline scripts) does not apply to; the page itself is unchanged.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The page has no serious or critical axe violation (WCAG 2 A/AA rules and best practices). */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(source);
  const run = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (d: Document) => Promise<unknown> } }).axe;
    return (await axe.run(document)) as { violations: AxeViolation[]; passes: unknown[] };
  });
  const bad = run.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join('; ')}`,
    );
  expect(bad, `${where}: axe violations`).toEqual([]);
  // axe really ran its rules on this page
  expect(run.passes.length).toBeGreaterThan(10);
}
