import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { tablesOf, type PolicyFile } from '../../policies/index.ts';
import { route } from '../route.ts';

const summary = (p: PolicyFile) => ({
  id: p.id,
  version: p.version,
  file: p.file,
  tables: tablesOf(p.content).map((t) => ({
    node: t.node,
    hitPolicy: t.hitPolicy,
    rules: t.rows.length,
  })),
});

/** Read-only: policies change in git and load with the workflows, never over the API. */
export const policyRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/policies',
    tag: 'policies',
    access: Permission.workflowsRead,
    summary: 'The loaded policies (decision tables): id, version (content hash), tables',
    handler: async ({ services }) => ({ policies: services.policies.list().map(summary) }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/policies/:id',
    tag: 'policies',
    access: Permission.workflowsRead,
    summary:
      'One policy: its JDM content, and each decision table as rows (rule numbers are 1-based)',
    handler: async ({ services, params }) => {
      const policy = services.policies.get(params.id!);
      if (!policy)
        throw new CrossdockError('POLICY_NOT_FOUND', `No policy "${params.id}"`, {
          category: 'user',
          retryable: false,
        });
      return { ...summary(policy), content: policy.content, tables: tablesOf(policy.content) };
    },
  }),
];
