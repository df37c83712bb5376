import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { baseLoggerOptions } from '../common/logging/logger-options';
import { ConfigValidationError, loadAppConfig } from '../config/app-config';
import { readEnvironment } from '../config/read-environment';
import { buildDataSourceOptions } from './data-source-options';
import { EmbeddedPostgresServer } from './embedded-postgres';
import { runMigrationsLocked } from './migrations';

const USAGE = 'usage: migration-cli run | revert | show | generate <Name>';

/** Renders a TypeORM migration class from the statements the schema builder says are missing. */
function renderMigration(name: string, timestamp: number, up: string[], down: string[]): string {
  const quote = (sql: string) => `    await queryRunner.query(${JSON.stringify(sql)});`;
  return [
    "import { MigrationInterface, QueryRunner } from 'typeorm';",
    '',
    `export class ${name}${timestamp} implements MigrationInterface {`,
    `  name = '${name}${timestamp}';`,
    '',
    '  public async up(queryRunner: QueryRunner): Promise<void> {',
    ...up.map(quote),
    '  }',
    '',
    '  public async down(queryRunner: QueryRunner): Promise<void> {',
    ...down.reverse().map(quote),
    '  }',
    '}',
    '',
  ].join('\n');
}

async function runCommand(dataSource: DataSource, command: string, name?: string): Promise<string> {
  switch (command) {
    case 'run': {
      const applied = await runMigrationsLocked(dataSource);
      return applied.length
        ? `Applied: ${applied.map((m) => m.name).join(', ')}`
        : 'No pending migrations';
    }
    case 'revert':
      await dataSource.undoLastMigration({ transaction: 'each' });
      return 'Reverted the last migration';
    case 'show':
      return (await dataSource.showMigrations())
        ? 'There are pending migrations'
        : 'No pending migrations';
    case 'generate': {
      if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name))
        throw new Error(`${USAGE} (Name in PascalCase)`);
      await runMigrationsLocked(dataSource);
      const sql = await dataSource.driver.createSchemaBuilder().log();
      if (sql.upQueries.length === 0) return 'The entities match the schema: nothing to generate';
      const timestamp = Date.now();
      const file = join(process.cwd(), 'migrations', `${timestamp}-${name}.ts`);
      const up = sql.upQueries.map((q) => q.query);
      const down = sql.downQueries.map((q) => q.query);
      writeFileSync(file, renderMigration(name, timestamp, up, down));
      return `Wrote ${file}`;
    }
    default:
      throw new Error(USAGE);
  }
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const config = loadAppConfig(readEnvironment());
  const logger = pino(baseLoggerOptions(config.logLevel));
  const embedded = config.database.url
    ? undefined
    : await EmbeddedPostgresServer.start({
        dir: config.database.embeddedDir,
        port: config.database.embeddedPort,
        logger,
      });
  const url = config.database.url ?? embedded!.url;
  const dataSource = await new DataSource(buildDataSourceOptions(url, 2)).initialize();
  try {
    logger.info(await runCommand(dataSource, command, name));
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigValidationError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
