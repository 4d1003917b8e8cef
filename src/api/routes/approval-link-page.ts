import type { ApprovalView } from '../../approvals/index.ts';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The small page behind an e-mailed link. Opening it decides nothing (mail scanners open
 * links); the person presses Approve or Reject, which posts once to the API.
 */
export function linkPage(
  input: { request: ApprovalView; expiresAt: string; token: string } | { problem: string },
): string {
  const body =
    'problem' in input ? `<p role="alert">${escape(input.problem)}</p>` : decisionForm(input);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crossdock approval</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#111}
button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}label{display:block;margin:1rem 0 .25rem}textarea{width:100%;min-height:4rem}#code{font-size:1.25rem;letter-spacing:.2em;width:8rem}
.muted{color:#444}</style></head><body><h1>Approval request</h1>${body}</body></html>`;
}

function decisionForm({
  request,
  expiresAt,
  token,
}: {
  request: ApprovalView;
  expiresAt: string;
  token: string;
}): string {
  const subject = `${request.subject.model} ${request.subject.name ?? request.subject.id}`;
  if (request.status !== 'pending')
    return `<p>${escape(subject)}: already ${escape(request.status)}.</p>`;
  return `<p><strong>${escape(subject)}</strong></p><p>${escape(request.summary)}</p>
<p class="muted">Level ${escape(request.level.name)}; decide by ${escape(request.level.dueAt ?? 'no deadline')}. This link works once and expires at ${escape(expiresAt)}.</p>
${
  request.level.stepUp
    ? '<label for="code">Code from your authenticator app (this level needs it)</label><input id="code" autocomplete="one-time-code" pattern="[0-9]{6}|[A-Za-z2-7 \\-]{16,24}" maxlength="24" required><span class="muted">Phone lost? One of your recovery codes works once in its place.</span>'
    : ''
}
<label for="reason">Reason (required to reject)</label><textarea id="reason"></textarea>
<p><button id="approve" type="button">Approve</button><button id="reject" type="button">Reject</button></p><p id="result" role="status"></p>
<script>
const token = ${JSON.stringify(token)};
async function decide(decision) {
  const reason = document.getElementById('reason').value;
  const code = document.getElementById('code');
  const body = { decision, reason: reason || null };
  if (code) body.code = code.value;
  const answer = await fetch('/api/v1/approval-links/' + token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const result = await answer.json();
  document.getElementById('result').textContent = answer.ok ? 'Recorded: ' + decision + '. Thank you.' : result.error.message;
  if (answer.ok) for (const b of document.querySelectorAll('button')) b.disabled = true;
}
document.getElementById('approve').addEventListener('click', () => decide('approve'));
document.getElementById('reject').addEventListener('click', () => decide('reject'));
</script>`;
}
