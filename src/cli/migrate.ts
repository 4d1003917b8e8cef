import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock } from '../main.ts';
import { silentLogger } from '../observability/index.ts';
import type { Output } from './output.ts';

/** `crossdock migrate`: applies the pending migrations and says which. */
export async function migrateCommand(config: CrossdockConfig, out: Output): Promise<number> {
  const crossdock = await createCrossdock(config, { logger: silentLogger(), migrate: false });
  try {
    const applied = await crossdock.store.migrate();
    out.result({ applied }, () =>
      applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`,
    );
    return 0;
  } finally {
    await crossdock.close();
  }
}
