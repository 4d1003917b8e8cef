import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { builtInSteps } from '../../src/main.ts';
import { loadWorkflowDir, parseWorkflow } from '../../src/workflows/index.ts';

describe('examples in the docs and examples/ are valid', () => {
  test('every YAML workflow block in docs/*.md parses and validates', () => {
    const files = readdirSync('docs').filter((f) => f.endsWith('.md'));
    let blocks = 0;
    for (const file of files) {
      for (const match of readFileSync(`docs/${file}`, 'utf8').matchAll(
        /```yaml\n([\s\S]*?)```/g,
      )) {
        blocks++;
        const result = parseWorkflow(match[1]!, `docs/${file}`, builtInSteps());
        assert.ok(result.ok, `docs/${file}: ${JSON.stringify(!result.ok && result.problems)}`);
      }
    }
    assert.ok(blocks > 0);
  });

  test('examples/workflows validates', () => {
    const result = loadWorkflowDir('examples/workflows', builtInSteps());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.workflows.map((w) => w.definition.id).sort(), [
      'order-intake',
      'order-released',
    ]);
  });
});
