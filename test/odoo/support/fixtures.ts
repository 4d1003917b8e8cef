/**
 * Loads the recorded exchanges of a fixture set: test/fixtures/odoo17 (the default) or
 * test/fixtures/odoo19 (see each README; both use one file format). A missing folder fails
 * the tests that need it; nothing is skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HttpAnswer } from '../../../src/connectors/odoo/index.ts';

export type FixtureSet = 'odoo17' | 'odoo19';

export const FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures/odoo17');
const dirOf = (set: FixtureSet) => resolve(import.meta.dirname, '../../fixtures', set);

export interface Fixture {
  /** File name without ".json". */
  name: string;
  description: string;
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * The second Odoo 17 recording (database "odoo17fx", 2026-12-04: procure-to-pay, invoicing,
 * returns, inventory, fields_get) lives in the same folder; its contract is a run of its own.
 */
export function isSecondBatch(name: string): boolean {
  return /^(fg-|p2p-|o2c-|ret-|inv-|webhook-out-(p2p|o2c|ret)-)/.test(name);
}

const cache = new Map<FixtureSet, Fixture[]>();

export function loadFixtures(set: FixtureSet = 'odoo17'): Fixture[] {
  let fixtures = cache.get(set);
  if (fixtures === undefined) {
    const dir = dirOf(set);
    fixtures = readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({
        name: file.slice(0, -'.json'.length),
        ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Fixture, 'name'>),
      }));
    cache.set(set, fixtures);
  }
  return fixtures;
}

export function loadFixture(name: string, set: FixtureSet = 'odoo17'): Fixture {
  const fixture = loadFixtures(set).find((candidate) => candidate.name === name);
  if (fixture === undefined) throw new Error(`no fixture named ${name}`);
  return fixture;
}

/** The recorded response as the HTTP answer a transport would have read. */
export function answerOf(fixture: Fixture): HttpAnswer {
  const { body } = fixture.response;
  return {
    status: fixture.response.status,
    contentType: fixture.response.headers['content-type'] ?? '',
    text: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** The JSON-RPC id the recorded request carried (null when absent). */
export function requestIdOf(fixture: Fixture): number | null {
  const body = fixture.request.body;
  if (typeof body === 'object' && body !== null && 'id' in body && typeof body.id === 'number')
    return body.id;
  return null;
}

export function isXmlRpcFixture(fixture: Fixture): boolean {
  return fixture.request.path.startsWith('/xmlrpc');
}
