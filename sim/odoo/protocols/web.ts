/**
 * The web client's session routes (web-session-*, web-dataset-call_kw-* fixtures):
 * /web/session/authenticate takes the password only (an API key is refused with
 * AccessDenied) and sets a session_id cookie; /web/dataset/call_kw/<model>/<method> needs
 * that cookie (code 100 "Odoo Session Expired" without it); /web/webclient/version_info;
 * and Odoo 19's GET /web/version used by JSON-2 clients.
 */
import { py } from '../errors.ts';
import type { OdooService } from '../service.ts';
import type { SimRuntime } from '../runtime.ts';
import { jsonResponse, type SimRequest, type SimResponse } from './http-types.ts';
import { answerJsonRpc, isResponse, readJsonRequest } from './jsonrpc.ts';

export class SessionStore {
  readonly #sessions = new Map<string, number>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  open(uid: number): string {
    const id = Array.from({ length: 40 }, () => Math.floor(this.#random() * 16).toString(16)).join(
      '',
    );
    this.#sessions.set(id, uid);
    return id;
  }

  uidOf(sessionId: string | undefined): number | undefined {
    return sessionId === undefined ? undefined : this.#sessions.get(sessionId);
  }

  close(sessionId: string | undefined): void {
    if (sessionId !== undefined) this.#sessions.delete(sessionId);
  }
}

function sessionCookie(request: SimRequest): string | undefined {
  const match = /(?:^|;\s*)session_id=([^;]+)/.exec(String(request.headers.cookie ?? ''));
  return match?.[1];
}

function sessionInfo(
  runtime: SimRuntime,
  service: OdooService,
  uid: number,
): Record<string, unknown> {
  const user = runtime.store.table('res.users').get(uid) ?? {};
  const partner = runtime.store.table('res.partner').get(Number(user.partner_id)) ?? {};
  return {
    uid,
    is_system: uid === 2,
    is_admin: uid === 2,
    is_internal_user: true,
    user_context: { lang: 'en_US', tz: 'Europe/Brussels', uid },
    db: service.database,
    user_settings: {
      id: 1,
      user_id: { id: uid },
      is_discuss_sidebar_category_channel_open: true,
      is_discuss_sidebar_category_chat_open: true,
      push_to_talk_key: false,
      use_push_to_talk: false,
      voice_active_duration: 200,
      volume_settings_ids: [['ADD', []]],
    },
    server_version: service.serverVersion.server_version,
    server_version_info: service.serverVersion.server_version_info,
    support_url: 'https://www.odoo.com/buy',
    name: partner.name ?? false,
    username: user.login ?? false,
    partner_display_name: partner.complete_name ?? partner.name ?? false,
    partner_id: user.partner_id ?? false,
    'web.base.url': runtime.baseUrl(),
    active_ids_limit: 20000,
    profile_session: null,
    profile_collectors: null,
    profile_params: null,
    max_file_upload_size: 134217728,
    home_action_id: false,
    // Opaque web-client cache keys, as the lab server sent them.
    cache_hashes: {
      translations: '9c10a09c6d308efa7dd3c8442907830891dc25f5',
      load_menus: 'cf43a656f60006827be57102c0bb9288c8934664029188bf2b688fd638c836ca',
    },
    currencies: { '1': { symbol: '$', position: 'before', digits: [69, 2] } },
    bundle_params: { lang: 'en_US' },
    user_companies: {
      current_company: 1,
      allowed_companies: {
        '2': { id: 2, name: 'My Company (Chicago)', sequence: 10, child_ids: [], parent_id: false },
        '1': {
          id: 1,
          name: 'My Company (San Francisco)',
          sequence: 0,
          child_ids: [],
          parent_id: false,
        },
      },
      disallowed_ancestor_companies: {},
    },
    show_effect: true,
    display_switch_company_menu: true,
    user_id: [uid],
    max_time_between_keys_in_ms: 100,
    web_tours: [],
    tour_disable: true,
    notification_type: 'email',
    odoobot_initialized: true,
    iap_company_enrich: true,
    is_quick_edit_mode_enabled: false,
  };
}

export async function handleWeb(
  runtime: SimRuntime,
  service: OdooService,
  sessions: SessionStore,
  request: SimRequest,
): Promise<SimResponse | null> {
  if (
    (request.path === '/web/version' || request.path === '/json/version') &&
    request.method === 'GET'
  ) {
    const {
      server_version_info: info,
      server_version: full,
      server_serie: serie,
    } = service.serverVersion;
    // 01-version-GET-web-version (19) answers the full version string; 17 mode keeps the series.
    return jsonResponse(200, {
      version_info: info,
      version: service.odooVersion >= 19 ? full : serie,
    });
  }
  const routes = [
    '/web/webclient/version_info',
    '/web/session/authenticate',
    '/web/session/get_session_info',
    '/web/session/destroy',
  ];
  const callKw = /^\/web\/dataset\/call_kw(?:\/[^/]+\/[^/]+)?$/.test(request.path);
  if (!routes.includes(request.path) && !callKw) return null;
  const envelope = readJsonRequest(request);
  if (isResponse(envelope)) return envelope;
  const { id, params } = envelope;
  const cookie = sessionCookie(request);
  switch (request.path) {
    case '/web/webclient/version_info':
      return answerJsonRpc(id, async () => service.serverVersion);
    case '/web/session/authenticate': {
      let cookieHeader: Record<string, string> = {};
      const response = await answerJsonRpc(id, async () => {
        const uid = service.authenticate('web', params.db, params.login, params.password, {
          passwordOnly: true,
        });
        if (uid === false) throw py.accessDenied();
        const expires = new Date(runtime.clock().getTime() + 604_800_000).toUTCString();
        cookieHeader = {
          'set-cookie': `session_id=${sessions.open(uid)}; Expires=${expires}; Max-Age=604800; HttpOnly; Path=/`,
        };
        return sessionInfo(runtime, service, uid);
      });
      return { ...response, headers: { ...response.headers, ...cookieHeader } };
    }
    case '/web/session/get_session_info':
      return answerJsonRpc(id, async () => {
        const uid = sessions.uidOf(cookie);
        if (uid === undefined) throw py.sessionExpired();
        return sessionInfo(runtime, service, uid);
      });
    case '/web/session/destroy':
      return answerJsonRpc(id, async () => {
        sessions.close(cookie);
        return undefined;
      });
    default:
      return answerJsonRpc(id, async () => {
        const uid = sessions.uidOf(cookie);
        if (uid === undefined) throw py.sessionExpired();
        return service.execute({
          protocol: 'web',
          uid,
          model: String(params.model),
          method: String(params.method),
          args: params.args ?? [],
          kwargs: params.kwargs ?? {},
        });
      });
  }
}
