// Prints one summary line per tier (unit, gpu, f16, e2e) with its wall time (first file started to
// last file ended), the ten slowest tests with their timeouts (flagging any above a third of its
// timeout: on a machine 3× slower it would time out), and the plain closing line
// "all: N passed, N failed, N skipped". A skipped or todo test is a failure here: GPU and
// browser tests must run on the software adapter, never skip. With CI set, a configured tier
// that ran no test fails the run too.
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export default class TierSummaryReporter implements Reporter {
  private selected: string[] = [];
  /** per tier: when its first file started and its last file ended (ms since the epoch) */
  private spans = new Map<string, { start: number; end: number }>();

  onInit(vitest: Vitest): void {
    this.selected = vitest.projects.map((p) => p.name);
  }

  onTestModuleStart(m: TestModule): void {
    const s = this.spans.get(m.project.name);
    const now = Date.now();
    if (!s) this.spans.set(m.project.name, { start: now, end: now });
    else s.start = Math.min(s.start, now);
  }

  onTestModuleEnd(m: TestModule): void {
    const s = this.spans.get(m.project.name);
    if (s) s.end = Math.max(s.end, Date.now());
  }

  private printSlowest(testModules: ReadonlyArray<TestModule>): void {
    const tests: { t: TestCase; ms: number; limit: number }[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const d = t.diagnostic();
        if (!d) continue;
        const limit = t.options.timeout ?? m.project.config.testTimeout;
        tests.push({ t, ms: d.duration, limit });
      }
    }
    tests.sort((a, b) => b.ms - a.ms);
    console.log('\nSlowest tests (time / timeout):');
    for (const { t, ms, limit } of tests.slice(0, 10)) {
      const flag = ms > limit / 3 ? '  ← above a third of its timeout' : '';
      const name = `${t.module.relativeModuleId} › ${t.name}`;
      console.log(
        `  ${(ms / 1000).toFixed(1).padStart(6)} s / ${(limit / 1000).toFixed(0).padStart(4)} s  ${name}${flag}`,
      );
    }
    const near = tests.filter((x) => x.ms > x.limit / 3).length;
    if (near > 0) console.log(`  ${near} test(s) above a third of their timeout`);
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
    this.printSlowest(testModules);
    console.log('\nTiers:');
    for (const [name, c] of tiers) {
      const span = this.spans.get(name);
      const wall = span ? ` (${((span.end - span.start) / 1000).toFixed(0)} s wall)` : '';
      console.log(`  ${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${wall}`);
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
