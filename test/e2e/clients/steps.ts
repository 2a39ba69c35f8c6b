// A client scenario as named steps: every step runs (a failure does not hide the ones after it), each is
// reported as a test diagnostic, and the run fails at the end listing every failed step.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

export class Steps {
  private readonly failures: string[] = [];
  private passed = 0;

  constructor(private readonly tc: Pick<TestContext, 'diagnostic'>) {}

  async run(name: string, fn: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now();
    try {
      await fn();
      this.passed++;
      this.tc.diagnostic(`PASS ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.failures.push(`${name}: ${msg}`);
      this.tc.diagnostic(`FAIL ${name}: ${msg.split('\n')[0]}`);
    }
  }

  assertAllPassed(): void {
    assert.ok(this.passed + this.failures.length > 0, 'the scenario ran no step');
    if (this.failures.length) {
      assert.fail(`${this.failures.length} of ${this.passed + this.failures.length} steps failed:\n\n${this.failures.join('\n\n')}`);
    }
  }
}
