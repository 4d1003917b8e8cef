import { Section, Status } from '../../components/ui.tsx';
import { elapsed, errorText, formatTime, pretty } from '../../format.ts';
import type { RunDetail } from './detail.ts';

/** Every step attempt in order, each with the step's with: (from the pinned version), its output and its error. */
export function StepAttempts({
  steps,
  config,
}: {
  steps: RunDetail['steps'];
  config: Map<string, unknown>;
}) {
  return (
    <Section title="Steps">
      <table className="table" aria-label="Step attempts">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Step</th>
            <th scope="col">Attempt</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Took</th>
            <th scope="col">Input (with:) / output / error</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={`${s.seq}-${s.attempt}`} data-step-row={s.stepId}>
              <td>{s.seq}</td>
              <td>
                {s.stepId} <span className="muted small">{s.type}</span>
              </td>
              <td>{s.attempt}</td>
              <td>
                <Status value={s.status} />
              </td>
              <td>{formatTime(s.startedAt)}</td>
              <td>{elapsed(s.startedAt, s.endedAt)}</td>
              <td>
                <details>
                  <summary>
                    {s.error ? <span className="bad">{errorText(s.error)}</span> : 'show'}
                  </summary>
                  <h4>Input (the step's with:)</h4>
                  <pre className="json">{pretty(config.get(s.stepId) ?? null)}</pre>
                  <h4>Output</h4>
                  <pre className="json">{pretty(s.output ?? null)}</pre>
                  {s.error ? (
                    <>
                      <h4>Error</h4>
                      <pre className="json">{pretty(s.error)}</pre>
                    </>
                  ) : null}
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
