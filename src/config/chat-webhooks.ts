/** Chat incoming webhooks: CROSSDOCK_CHAT_WEBHOOK_<NAME>=https://... (the URL is a secret). */
const CHAT_WEBHOOK_PREFIX = 'CROSSDOCK_CHAT_WEBHOOK_';

/** CROSSDOCK_CHAT_WEBHOOK_<NAME> variables; a problem names the variable, never its URL. */
export function chatWebhooks(env: Record<string, string | undefined>): {
  webhooks: Record<string, string>;
  problems: { path: string; message: string }[];
} {
  const webhooks: Record<string, string> = {};
  const problems: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(CHAT_WEBHOOK_PREFIX) || value === undefined || value === '') continue;
    const suffix = key.slice(CHAT_WEBHOOK_PREFIX.length);
    if (!/^[A-Z0-9][A-Z0-9_]*$/.test(suffix)) {
      problems.push({
        path: key,
        message: 'the name after CROSSDOCK_CHAT_WEBHOOK_ must be upper-case letters, digits and _',
      });
      continue;
    }
    let url: URL | null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || !['https:', 'http:'].includes(url.protocol))
      problems.push({ path: key, message: 'must be an http(s) URL' });
    else webhooks[suffix.toLowerCase().replaceAll('_', '-')] = value;
  }
  return { webhooks, problems };
}
