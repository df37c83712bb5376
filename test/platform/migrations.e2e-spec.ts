import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestDatabase } from '../support/test-database';
import { startTestApp } from '../support/test-app';

const migrationFiles = readdirSync(join(__dirname, '..', '..', 'migrations')).filter((f) =>
  f.endsWith('.ts'),
);

describe('migrations at start-up', () => {
  it('applies every migration once on an empty database, even with two instances starting together', async () => {
    const database = await TestDatabase.create();
    try {
      const [a, b] = await Promise.all([startTestApp({ database }), startTestApp({ database })]);
      await Promise.all([a.close(), b.close()]);
      const applied = await database.query<{ name: string }>(
        'SELECT name FROM migrations ORDER BY id',
      );
      expect(applied).toHaveLength(migrationFiles.length);
      expect(new Set(applied.map((m) => m.name)).size).toBe(applied.length);

      const again = await startTestApp({ database });
      await again.close();
      expect(await database.query('SELECT name FROM migrations')).toHaveLength(
        migrationFiles.length,
      );
    } finally {
      await database.drop();
    }
  });
});
