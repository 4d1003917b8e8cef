/**
 * `crossdock sim carriers | odoo`: one simulator on its own, for trying the packs without a
 * carrier contract (against a real Odoo) or without an Odoo. Each prints the configuration
 * file Crossdock needs to talk to it, and the environment variables that file names, then
 * runs until SIGINT or SIGTERM.
 *
 * The simulators are test and demo code: they are loaded here, through the demo's door to
 * them (src/demo/simulators.ts), by dynamic import, and only when this command runs. No other
 * command loads sim/ (test/unit/cli-imports.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { CrossdockConfig } from '../config/index.ts';
import { SIM_RECORDS_KEEP, simCarriersConfig, simOdooConfig } from '../demo/sim-config.ts';
import type { CarrierSimulator } from '../demo/simulators.ts';
import { CrossdockError } from '../errors/index.ts';
import { createLogger, silentLogger } from '../observability/index.ts';
import { usageError, type Output } from './output.ts';
import { untilSignal } from './serve.ts';

export interface SimFlags {
  port?: string;
  'carriers-file'?: string;
  'write-config'?: string;
  'tracking-to'?: string;
}

/** With --tracking-to, a booking this old is reported in transit, then delivered (its write-back to Odoo is done by then). */
const TRACKING_AFTER_MS = 5_000;

const USAGE =
  'usage: crossdock sim carriers [--port P] [--carriers-file F] [--write-config F] [--tracking-to URL] | crossdock sim odoo [--port P] [--write-config F]';

/** What a carriers file may change in a simulated carrier: where it serves, in what currency. */
const SimCarriersFileSchema = z.strictObject({
  carriers: z
    .array(
      z.strictObject({
        code: z.string().min(1),
        countries: z
          .array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. US'))
          .min(1)
          .optional(),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. USD')
          .optional(),
        domestic_only: z.boolean().optional(),
      }),
    )
    .min(1),
});
type SimCarrierChoice = z.infer<typeof SimCarriersFileSchema>['carriers'][number];

export async function simCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: SimFlags,
  out: Output,
  until: () => Promise<void> = () => untilSignal(silentLogger()),
): Promise<number> {
  const port = portOf(flags.port);
  const crossdockUrl = `http://${config.http.host}:${config.http.port}`;
  switch (rest[0]) {
    case 'carriers':
      return runCarriers(port, flags, out, until);
    case 'odoo':
      if (flags['carriers-file'] !== undefined || flags['tracking-to'] !== undefined)
        throw usageError(`--carriers-file and --tracking-to are for "sim carriers"\n${USAGE}`);
      return runOdoo(port, crossdockUrl, flags, out, until);
    default:
      throw usageError(USAGE);
  }
}

async function runCarriers(
  port: number,
  flags: SimFlags,
  out: Output,
  until: () => Promise<void>,
): Promise<number> {
  const { DEFAULT_CARRIER_PROFILES, startCarrierSimulator } = await import('../demo/simulators.ts');
  const known = DEFAULT_CARRIER_PROFILES.map((p) => p.code);
  const choices: SimCarrierChoice[] =
    flags['carriers-file'] === undefined
      ? known.map((code) => ({ code }))
      : readCarriersFile(flags['carriers-file'], known);
  const profiles = choices.map((c) => {
    const profile = DEFAULT_CARRIER_PROFILES.find((p) => p.code === c.code)!;
    return {
      ...profile,
      ...(c.countries ? { countries: c.countries } : {}),
      ...(c.currency ? { currency: c.currency } : {}),
      ...(c.domestic_only !== undefined ? { domesticOnly: c.domestic_only } : {}),
    };
  });
  const trackingTo =
    flags['tracking-to'] === undefined ? null : crossdockBaseUrl(flags['tracking-to']);
  const stop = until(); // from here on, Ctrl-C closes the simulator
  const sim = await startCarrierSimulator({
    carriers: profiles,
    port,
    keepRecords: SIM_RECORDS_KEEP,
  });
  let player: { stop(): Promise<void> } | null = null;
  try {
    if (trackingTo !== null) player = await playTracking(sim, trackingTo);
    const file = simCarriersConfig(
      profiles.map((p) => sim.carrierConfig(p.code)),
      'CROSSDOCK_SIM',
    );
    const written = writeConfig(flags['write-config'], file.yaml);
    const carriers = profiles.map((p) => ({
      code: p.code,
      url: sim.url(p.code),
      countries: [...p.countries],
      currency: p.currency,
    }));
    out.result(
      {
        url: sim.baseUrl,
        carriers,
        configFile: written,
        config: parseYaml(file.yaml),
        env: file.env,
      },
      () =>
        [
          `carrier simulator at ${sim.baseUrl}: ${carriers.map((c) => `${c.code} (${c.countries.join(', ')}; ${c.currency})`).join(', ')}`,
          ...configLines('CROSSDOCK_CARRIERS_CONFIG', written, file.yaml, file.env),
          trackingTo === null
            ? 'no tracking webhooks (--tracking-to <Crossdock URL> sends them)'
            : `each booking is reported in transit, then delivered, to ${trackingTo}/hooks/carriers/<code>`,
          'running until Ctrl-C',
        ].join('\n'),
    );
    await stop;
    return 0;
  } finally {
    await player?.stop();
    await sim.close();
  }
}

/** Plays the carriers' tracking webhooks, signed as each carrier signs them, for every booking once it is TRACKING_AFTER_MS old. */
async function playTracking(
  sim: CarrierSimulator,
  crossdockUrl: string,
): Promise<{ stop(): Promise<void> }> {
  const { TrackingPlayer } = await import('../demo/actors.ts');
  sim.setWebhookUrl((code) => `${crossdockUrl}/hooks/carriers/${code}`);
  const bookedAt = (ref: string) =>
    sim.profiles.flatMap((p) => sim.bookings(p.code)).find((b) => b.tracking_ref === ref)
      ?.created_at;
  const player = new TrackingPlayer({
    carriers: sim,
    delayedShare: 0,
    damagedShare: 0,
    duplicateShare: 0,
    stepMs: 1_000,
    logger: createLogger({ level: 'warn', pretty: true }),
    ready: (ref) => Date.now() - Date.parse(bookedAt(ref) ?? '') >= TRACKING_AFTER_MS,
  });
  player.start();
  return player;
}

function crossdockBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `--tracking-to must be Crossdock's address, e.g. http://127.0.0.1:3000, not "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--tracking-to must be an http(s) URL, not "${value}"`);
  return value.replace(/\/+$/, '');
}

async function runOdoo(
  port: number,
  crossdockUrl: string,
  flags: SimFlags,
  out: Output,
  until: () => Promise<void>,
): Promise<number> {
  const { startOdooSimulator } = await import('../demo/simulators.ts');
  const { seedDemo } = await import('../demo/seed.ts');
  const stop = until();
  const sim = await startOdooSimulator({ port, keepRecords: SIM_RECORDS_KEEP });
  try {
    const catalog = await seedDemo(sim, { today: new Date() });
    const file = simOdooConfig({
      odoo: {
        url: sim.url,
        database: sim.database,
        login: 'admin',
        apiKey: sim.users[0]!.apiKeys[0]!,
      },
      publicUrl: crossdockUrl,
      apiKeyEnv: 'CROSSDOCK_SIM_ODOO_API_KEY',
      tokenEnv: 'CROSSDOCK_SIM_ODOO_HOOK_TOKEN',
      token: randomBytes(24).toString('base64url'),
      pollIntervalMs: 60_000,
    });
    const written = writeConfig(flags['write-config'], file.yaml);
    out.result(
      {
        url: sim.url,
        database: sim.database,
        customers: catalog.customers.length,
        products: catalog.products.length,
        configFile: written,
        config: parseYaml(file.yaml),
        env: file.env,
      },
      () =>
        [
          `Odoo 17 simulator at ${sim.url}, database ${sim.database}: ${catalog.customers.length} customers, ${catalog.products.length} products, the carriers' shipping methods, a warehouse in Hamburg`,
          ...configLines('CROSSDOCK_ODOO_CONFIG', written, file.yaml, file.env),
          `then: crossdock odoo setup-rules, and crossdock start --workflows packs (public_url is ${crossdockUrl}, from CROSSDOCK_HOST and CROSSDOCK_PORT)`,
          'running until Ctrl-C; its data lives in memory and is gone when it stops',
        ].join('\n'),
    );
    await stop;
    return 0;
  } finally {
    await sim.close();
  }
}

/** The file (or where it was written) and the variables it names, ready to paste into a shell. */
function configLines(
  variable: string,
  written: string | null,
  yaml: string,
  env: Record<string, string>,
): string[] {
  return [
    written === null
      ? `# ${variable}: save this as a file and point ${variable} at it\n${yaml.trimEnd()}`
      : `# ${variable}=${written}`,
    "# the variables it names (the simulator's own test credentials), for Crossdock's environment:",
    ...Object.entries(env).map(([name, value]) => `export ${name}=${value}`),
    ...(written === null ? [] : [`export ${variable}=${written}`]),
  ];
}

function writeConfig(path: string | undefined, yaml: string): string | null {
  if (path === undefined) return null;
  try {
    writeFileSync(path, yaml);
  } catch (error) {
    throw usageError(`--write-config: cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}

function readCarriersFile(path: string, known: string[]): SimCarrierChoice[] {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CrossdockError(
      'SIM_CARRIERS_FILE_INVALID',
      `Cannot read the carrier simulator file ${path}: ${(error as Error).message}`,
      { category: 'user', retryable: false },
    );
  }
  const parsed = SimCarriersFileSchema.safeParse(raw);
  const details = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  // Codes are checked on the raw entries too, so one answer names every problem.
  const entries = (raw as { carriers?: unknown } | null)?.carriers;
  const codes = Array.isArray(entries)
    ? entries.map((e) => (e as { code?: unknown } | null)?.code)
    : [];
  codes.forEach((code, i) => {
    if (typeof code !== 'string') return;
    if (!known.includes(code))
      details.push({
        path: `carriers.${i}.code`,
        message: `the simulator has no carrier "${code}"; it has ${known.join(', ')}`,
      });
    else if (codes.indexOf(code) !== i)
      details.push({ path: `carriers.${i}.code`, message: `"${code}" is listed twice` });
  });
  if (!parsed.success || details.length > 0)
    throw new CrossdockError(
      'SIM_CARRIERS_FILE_INVALID',
      `The carrier simulator file ${path} is not valid`,
      { category: 'user', retryable: false, details },
    );
  return parsed.data.carriers;
}

function portOf(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535)
    throw usageError(`--port must be a port number from 0 to 65535, not "${value}"\n${USAGE}`);
  return Number(value);
}
