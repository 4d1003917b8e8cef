import { Json, Section } from '../../components/ui.tsx';
import { countdown, errorText, formatTime } from '../../format.ts';
import { useNow } from '../../hooks.ts';
import { ENDED, type RunDetail } from './detail.ts';

/**
 * What the run waits for: the step it is parked at and when its timer fires (a wait's
 * deadline, an approval's reminder or SLA), or the retry it is due for; and every signal it
 * was sent, with the step that took it or "kept" while no step has (an early signal).
 */
export function SignalsAndTimers({ run }: { run: RunDetail }) {
  const now = useNow();
  const last = run.steps.at(-1);
  const due = run.availableAt
    ? `${formatTime(run.availableAt)} (${countdown(run.availableAt, now).text})`
    : null;
  const stepAt = (seq: number) => run.steps.find((s) => s.seq === seq)?.stepId ?? `#${seq}`;
  let timer: string;
  if (run.status === 'waiting') {
    timer = `Waiting at step ${run.cursor}${last?.stepId === run.cursor ? ` (${last.type})` : ''}: ${due ? `its timer fires at ${due}` : 'no timer; it waits for a signal or a decision'}.`;
  } else if (
    (run.status === 'ready' || run.status === 'queued') &&
    run.availableAt &&
    new Date(run.availableAt).getTime() > now
  ) {
    timer = `Step ${run.cursor} is tried again at ${due}${last?.status === 'failed' ? `, after attempt ${last.attempt} failed: ${errorText(last.error)}` : ''}.`;
  } else if (ENDED.has(run.status)) {
    timer = `No timer: the run is ${run.status}.`;
  } else {
    timer =
      run.status === 'queued'
        ? 'Queued behind its concurrency limit.'
        : `Due now at step ${run.cursor}.`;
  }
  const waitingState = run.status === 'waiting' && last?.status === 'waiting' ? last.output : null;
  return (
    <Section title="Signals and timers">
      <p data-timer={run.status}>{timer}</p>
      {waitingState !== null && waitingState !== undefined && (
        <Json value={waitingState} label="What the waiting step keeps" />
      )}
      {run.signals.length === 0 ? (
        <p className="muted">No signals were sent to this run.</p>
      ) : (
        <table className="table" aria-label="Signals">
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Sent</th>
              <th scope="col">Taken by</th>
              <th scope="col">Payload</th>
            </tr>
          </thead>
          <tbody>
            {run.signals.map((g, i) => (
              <tr key={i} data-signal={g.name}>
                <td>
                  <code>{g.name}</code>
                </td>
                <td>{formatTime(g.sentAt)}</td>
                <td>
                  {g.consumedSeq === null ? (
                    <span className="muted">kept until a step takes it</span>
                  ) : (
                    `step ${stepAt(g.consumedSeq)} (#${g.consumedSeq})`
                  )}
                </td>
                <td>
                  <code className="small">
                    {g.payload === null ? '—' : JSON.stringify(g.payload)}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
