import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { installPath } from '../install-root.ts';

/** Where `npm run build:dashboard` writes the built app. */
export const DASHBOARD_DIST = installPath('dashboard', 'dist');

/** The dashboard lives under this prefix; `/` redirects to it. */
export const DASHBOARD_BASE = '/app/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The app loads only its own files and talks only to this origin.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file of the build, read once at startup (a few hundred kB): no path from a URL ever reaches the file system. */
function readBuild(dir: string): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        files.set(relative(dir, path).split(sep).join('/'), {
          body: readFileSync(path),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
        });
    }
  };
  if (existsSync(join(dir, 'index.html'))) walk(dir);
  return files;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Crossdock</title>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> and restart Crossdock.</p>`;

/**
 * Serves the built dashboard (dashboard/dist) under /app/. Any path under /app/ that is not a
 * built file gets index.html, so the app's own routes survive a reload (SPA fallback); a
 * missing file under /app/assets/ is a 404. Nothing here answers /api, /hooks, /approve,
 * /metrics or /healthz: only `/`, `/app` and `/app/*` are registered.
 */
export function dashboardAssets(dir: string): FastifyPluginAsync {
  return async (app) => {
    const files = readBuild(dir);
    const index = files.get('index.html');
    const send = (reply: FastifyReply, asset: Asset) =>
      reply
        .type(asset.type)
        .header('content-security-policy', CSP)
        .header('referrer-policy', 'same-origin')
        .send(asset.body);
    app.get('/', async (_request, reply) => reply.redirect(DASHBOARD_BASE, 302));
    app.get('/app', async (_request, reply) => reply.redirect(DASHBOARD_BASE, 302));
    app.get('/app/*', async (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      const asset = files.get(path);
      if (asset) return send(reply, asset);
      if (path.startsWith('assets/') || !index) {
        return reply
          .status(index ? 404 : 503)
          .type('text/html; charset=utf-8')
          .send(index ? 'Not found' : NOT_BUILT);
      }
      return send(reply, index);
    });
  };
}
