import { Json } from './ui.tsx';
import { Link } from '../router.tsx';

interface DecideOutput {
  decision: Record<string, unknown>;
  policy: { id: string; version: string };
  matched: { node: string; rule: number; ruleId: string | null; inputs: Record<string, unknown> }[];
}

/** A `decide` step's output, as the approval step keeps it: the decision, the policy version and the rows that matched. */
function isDecideOutput(value: unknown): value is DecideOutput {
  const v = value as Partial<DecideOutput> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.decision === 'object' &&
    v.decision !== null &&
    typeof v.policy?.id === 'string' &&
    typeof v.policy.version === 'string' &&
    Array.isArray(v.matched)
  );
}

const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Why a request needs approval. A policy decision reads as the policy and version, the row
 * that matched, what it decided and the values it looked at; the JSON stays one click away.
 * Anything else a workflow passed as `policy` is shown as JSON.
 */
export function PolicyWhy({ value }: { value: unknown }) {
  if (!isDecideOutput(value)) return <Json value={value} label="Policy decision" />;
  return (
    <div className="policy-why">
      <dl className="facts" aria-label="Policy decision">
        <dt>Policy</dt>
        <dd>
          <Link to="/policies">{value.policy.id}</Link>{' '}
          <code className="small">{value.policy.version.slice(0, 12)}</code>
        </dd>
        {value.matched.map((m) => (
          <div key={`${m.node}:${m.rule}`} className="contents">
            <dt>Matched</dt>
            <dd>
              {m.node}, rule {m.rule}
              {m.ruleId ? ` (${m.ruleId})` : ''}
            </dd>
          </div>
        ))}
        {Object.entries(value.decision).map(([k, v]) => (
          <div key={k} className="contents">
            <dt>{k}</dt>
            <dd>
              <strong>{cell(v)}</strong>
            </dd>
          </div>
        ))}
      </dl>
      {value.matched.map((m) => (
        <table
          key={`${m.node}:${m.rule}:inputs`}
          className="table compact"
          aria-label={`Values rule ${m.rule} of ${m.node} looked at`}
        >
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(m.inputs).map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td>
                  <code>{cell(v)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <details>
        <summary>The decision as recorded (JSON)</summary>
        <Json value={value} label="The decision as recorded" />
      </details>
    </div>
  );
}
