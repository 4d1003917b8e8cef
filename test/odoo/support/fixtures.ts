/**
 * Loads the recorded Odoo 17 exchanges from test/fixtures/odoo17 (see its README).
 * A missing folder fails the tests that need it; nothing is skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HttpAnswer } from '../../../src/connectors/odoo/index.ts';

export const FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures/odoo17');

export interface Fixture {
  /** File name without ".json". */
  name: string;
  description: string;
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

let cache: Fixture[] | null = null;

export function loadFixtures(): Fixture[] {
  if (cache === null) {
    cache = readdirSync(FIXTURES_DIR)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({ name: file.slice(0, -'.json'.length), ...(JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')) as Omit<Fixture, 'name'>) }));
  }
  return cache;
}

export function loadFixture(name: string): Fixture {
  const fixture = loadFixtures().find((candidate) => candidate.name === name);
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
  if (typeof body === 'object' && body !== null && 'id' in body && typeof body.id === 'number') return body.id;
  return null;
}

export function isXmlRpcFixture(fixture: Fixture): boolean {
  return fixture.request.path.startsWith('/xmlrpc');
}
