// Prints one summary line per tier (unit, gpu, f16, e2e) and the plain closing line
// "all: N passed, N failed, N skipped". A skipped or todo test is a failure here: GPU and
// browser tests must run on the software adapter, never skip. With CI set, a configured tier
// that ran no test fails the run too.
import type { Reporter, TestModule, Vitest } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export default class TierSummaryReporter implements Reporter {
  private selected: string[] = [];

  onInit(vitest: Vitest): void {
    this.selected = vitest.projects.map((p) => p.name);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // Under CI every configured tier must run; locally, only the tiers a filter selected.
    const required = process.env.CI ? this.selected : [];
    const tiers = new Map<string, Counts>(
      required.map((name) => [name, { passed: 0, failed: 0, skipped: 0 }]),
    );
    for (const m of testModules) {
      const c = tiers.get(m.project.name) ?? { passed: 0, failed: 0, skipped: 0 };
      tiers.set(m.project.name, c);
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) c.failed++;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') c.passed++;
        else if (s === 'failed') c.failed++;
        else c.skipped++;
      }
    }
    const all: Counts = { passed: 0, failed: 0, skipped: 0 };
    const problems: string[] = [];
    console.log('\nTiers:');
    for (const [name, c] of tiers) {
      console.log(`  ${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
      all.passed += c.passed;
      all.failed += c.failed;
      all.skipped += c.skipped;
      if (c.passed + c.failed === 0) problems.push(`tier ${name} ran no test`);
      if (c.skipped > 0) problems.push(`tier ${name} skipped ${c.skipped} test(s)`);
    }
    for (const p of problems) console.log(`  FAIL: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
    console.log(`all: ${all.passed} passed, ${all.failed} failed, ${all.skipped} skipped`);
  }
}
