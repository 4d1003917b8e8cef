/**
 * The templates Crossdock ships (Liquid, strict: an unknown variable is an error). `text`
 * renders as is; `html` escapes every `{{ }}` output (write `| raw` only for markup we made).
 */
export interface MessageTemplate {
  subject: string;
  text: string;
  html?: string;
}

const layout = (
  inner: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"></head>
<body style="font:15px/1.5 system-ui,sans-serif;color:#111;max-width:40rem">${inner}
<p style="color:#555;font-size:13px">Sent by Crossdock.</p></body></html>`;

const greeting = `Hello {{ recipient.name | default: recipient.email }},`;
const behalf = `{% if on_behalf_of %} (standing in for {{ on_behalf_of.name | default: on_behalf_of.email }}){% endif %}`;
const requestText = `{{ request.summary }}

What: {{ request.subject }}
Level: {{ request.level }} ({{ request.level_number }} of {{ request.levels_count }})
Decide by: {{ request.due_at | default: "no deadline" }}{% if request.step_up %}
This level needs the six-digit code from your authenticator app with your decision.{% endif %}`;
const linksText = `{% if links %}
Approve: {{ links.approve }}
Reject:  {{ links.reject }}

Each link works once, for you only, until the deadline. Opening it decides nothing:
the page asks you to confirm.{% else %}
Decide in the Crossdock approvals inbox.{% endif %}`;
const requestHtml = `<p>${greeting}${behalf}</p>
<p><strong>{{ request.subject }}</strong></p><p>{{ request.summary }}</p>
<p style="color:#444">Level {{ request.level }} ({{ request.level_number }} of {{ request.levels_count }}); decide by {{ request.due_at | default: "no deadline" }}.</p>
{% if request.step_up %}<p>This level needs the six-digit code from your authenticator app with your decision.</p>{% endif %}
{% if links %}<p><a href="{{ links.approve }}">Approve</a> &nbsp; <a href="{{ links.reject }}">Reject</a></p>
<p style="color:#555;font-size:13px">Each link works once, for you only, until the deadline. Opening it decides nothing: the page asks you to confirm.</p>{% else %}<p>Decide in the Crossdock approvals inbox.</p>{% endif %}`;

export const BUILTIN_TEMPLATES: Record<string, MessageTemplate> = {
  'approval-request': {
    subject: 'Approval needed: {{ request.subject }}',
    text: `${greeting}

you are asked to approve${behalf}:

${requestText}
${linksText}
`,
    html: layout(requestHtml),
  },
  'approval-reminder': {
    subject: 'Reminder: approval needed by {{ request.due_at }}: {{ request.subject }}',
    text: `${greeting}

a request is still waiting for your decision${behalf}:

${requestText}
${linksText}
`,
    html: layout(
      `<p><strong>Reminder:</strong> this request is still waiting for your decision.</p>${requestHtml}`,
    ),
  },
  'approval-escalated': {
    subject: 'Escalated to you: {{ request.subject }}',
    text: `${greeting}

a request was escalated to you${behalf}: it was not decided in time (escalation {{ request.escalations }}).

${requestText}
${linksText}
`,
    html: layout(
      `<p><strong>Escalated to you:</strong> it was not decided in time (escalation {{ request.escalations }}).</p>${requestHtml}`,
    ),
  },
  /** For `notify` steps: data.subject and data.body, the body's line breaks kept in HTML. */
  generic: {
    subject: '{{ subject }}',
    text: '{{ body }}\n',
    html: layout('<p>{{ body | escape | newline_to_br | raw }}</p>'),
  },
};
