import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminDatabaseUrl } from './test-environment';

/** A throwaway database on the test server: created per test file, dropped afterwards. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const name = `sah_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await TestDatabase.admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminDatabaseUrl());
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString());
  }

  private static async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: adminDatabaseUrl() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Runs one query against this database on a connection of its own. */
  async query<T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await TestDatabase.admin(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }
}
