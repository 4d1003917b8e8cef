import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { definitionChanges, WorkflowSchema } from '../../src/workflows/index.ts';

const workflow = (value: unknown) => WorkflowSchema.parse(value);

describe('definitionChanges: what changed between two versions of a workflow', () => {
  const base = workflow({
    id: 'w',
    version: 1,
    trigger: { event: 'a.b', source: 'erp' },
    steps: [
      { id: 'one', type: 'transform', with: { a: 1, b: { c: 2, d: 3 } } },
      { id: 'two', type: 'log', with: { message: 'hi' } },
      { id: 'three', type: 'log', with: { message: 'bye' } },
    ],
  });

  test('the same content with its keys in another order (as jsonb gives it back) is no change', () => {
    const reordered = workflow({
      steps: [
        { with: { b: { d: 3, c: 2 }, a: 1 }, type: 'transform', id: 'one' },
        { type: 'log', id: 'two', with: { message: 'hi' } },
        { id: 'three', with: { message: 'bye' }, type: 'log' },
      ],
      trigger: { source: 'erp', event: 'a.b' },
      version: 2,
      id: 'w',
    });
    assert.deepEqual(definitionChanges(base, reordered), {
      stepsAdded: [],
      stepsRemoved: [],
      stepsChanged: [],
      stepOrderChanged: false,
      triggerChanged: false,
      settingsChanged: [],
    });
  });

  test('steps added, removed, changed and moved; the trigger and other settings', () => {
    const next = workflow({
      id: 'w',
      version: 2,
      description: 'now described',
      retry: { max_attempts: 5 },
      trigger: { event: 'a.b' },
      steps: [
        { id: 'three', type: 'log', with: { message: 'bye' } },
        { id: 'one', type: 'transform', with: { a: 1, b: { c: 2, d: 4 } } },
        { id: 'four', type: 'log', with: { message: 'new' } },
      ],
    });
    assert.deepEqual(definitionChanges(base, next), {
      stepsAdded: ['four'],
      stepsRemoved: ['two'],
      stepsChanged: ['one'],
      stepOrderChanged: true,
      triggerChanged: true,
      settingsChanged: ['description', 'retry'],
    });
  });
});
