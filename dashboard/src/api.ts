/** The REST API (/api/v1), with the session cookie and the CSRF token from sign-in. */

export interface ApiErrorBody {
  code: string;
  message: string;
  details: { path: string; message: string }[];
  requestId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
}

export interface Me {
  userId: string;
  email: string;
  role: string;
  permissions: string[];
  csrfToken?: string;
}

/** Dispatched on window when the API answers 401 to a signed-in page. */
export const SIGNED_OUT = 'crossdock:signed-out';

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => void (csrfToken = token);

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    // The session ended (expired, signed out elsewhere, user disabled): back to the sign-in form.
    if (response.status === 401 && !path.startsWith('/auth/'))
      window.dispatchEvent(new Event(SIGNED_OUT));
    const error = (parsed as { error?: ApiErrorBody } | null)?.error;
    throw new ApiError(
      response.status,
      error ?? {
        code: `HTTP_${response.status}`,
        message: `The server answered ${response.status}`,
        details: [],
      },
    );
  }
  return parsed as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);

/** Query string from the set values only. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}
