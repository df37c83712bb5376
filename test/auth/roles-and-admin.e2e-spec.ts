import { randomUUID } from 'node:crypto';
import { Controller, Get, INestApplication, UseGuards, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { AuthModule } from '../../src/auth/auth.module';
import { CurrentUser } from '../../src/auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../../src/auth/decorators/current-user.decorator';
import { Roles } from '../../src/auth/decorators/roles.decorator';
import { JwtAuthGuard } from '../../src/auth/guards/jwt-auth.guard';
import { RolesGuard } from '../../src/auth/guards/roles.guard';
import { loadAppConfig } from '../../src/config/app-config';
import { AppLogger } from '../../src/common/logging/app-logger';
import { LogCapture } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { sharedRedisUrl } from '../support/test-environment';

/** Routes the way other modules use the exported guards: their module imports AuthModule. */
@Controller('probe')
class ProbeController {
  @Get('admin')
  @UseGuards(JwtAuthGuard, RolesGuard)
  @Roles('admin')
  admin(@CurrentUser() user: AuthenticatedUser) {
    return { ok: true, user };
  }

  @Get('roles-only')
  @UseGuards(RolesGuard)
  @Roles('admin', 'user')
  anyone(@CurrentUser() user: AuthenticatedUser) {
    return { role: user.role };
  }
}

interface ProbeApp {
  app: INestApplication;
  logs: LogCapture;
  close(): Promise<void>;
}

/** The real AppModule plus one probe controller, on the given database. */
async function startProbeApp(
  database: TestDatabase,
  env: Record<string, string>,
): Promise<ProbeApp> {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: sharedRedisUrl() ?? '',
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    JWT_SECRET: 'a shared secret of at least thirty-two characters',
    ...env,
  });
  const logs = new LogCapture();
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logDestination: logs }), AuthModule],
    controllers: [ProbeController],
  }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  await app.init();
  return { app, logs, close: () => app.close() };
}

const ADMIN = { ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'admin password 1' };

describe('Roles and the start-up admin', () => {
  let database: TestDatabase;
  let probe: ProbeApp;

  beforeAll(async () => {
    database = await TestDatabase.create();
    probe = await startProbeApp(database, ADMIN);
  });
  afterAll(async () => {
    await probe.close();
    await database.drop();
  });

  const http = () => request(probe.app.getHttpServer());
  const login = async (email: string, password: string) =>
    (await http().post('/api/auth/login').send({ email, password })).body.access_token as string;

  it('creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD at start-up', async () => {
    const rows = await database.query<Record<string, unknown>>(
      'SELECT email, role, status, email_verified FROM users',
    );
    expect(rows).toEqual([
      { email: 'root@example.com', role: 'admin', status: 'active', email_verified: true },
    ]);
  });

  it('lets an admin through @Roles("admin") and refuses a user with 403', async () => {
    const adminToken = await login('root@example.com', 'admin password 1');
    const ok = await http().get('/probe/admin').set('Authorization', `Bearer ${adminToken}`);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({
      id: expect.any(String),
      email: 'root@example.com',
      role: 'admin',
    });

    const registered = await http()
      .post('/api/auth/register')
      .send({ email: 'plain@example.com', password: 'ordinary pw 1', name: 'P' });
    expect(registered.status).toBe(202);
    const userToken = await login('plain@example.com', 'ordinary pw 1');
    const refused = await http().get('/probe/admin').set('Authorization', `Bearer ${userToken}`);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('This requires the role admin');

    expect((await http().get('/probe/admin')).status).toBe(401);
    const rolesOnly = await http()
      .get('/probe/roles-only')
      .set('Authorization', `Bearer ${userToken}`);
    expect(rolesOnly.body).toEqual({ role: 'user' });
    expect((await http().get('/probe/roles-only')).status).toBe(401);
  });

  it('reads the role from the database on every request (a demotion applies at once)', async () => {
    const token = await login('root@example.com', 'admin password 1');
    await database.query("UPDATE users SET role = 'user' WHERE email = 'root@example.com'");
    const res = await http().get('/probe/admin').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    await database.query("UPDATE users SET role = 'admin' WHERE email = 'root@example.com'");
  });

  it('never re-passwords the admin when ADMIN_PASSWORD changes; says so in the log', async () => {
    const [before] = await database.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE email = 'root@example.com'",
    );
    const second = await startProbeApp(database, { ...ADMIN, ADMIN_PASSWORD: 'a different one 2' });
    try {
      const [after] = await database.query<{ password_hash: string }>(
        "SELECT password_hash FROM users WHERE email = 'root@example.com'",
      );
      expect(after.password_hash).toBe(before.password_hash);
      expect(second.logs.text).toContain('ADMIN_PASSWORD differs from the admin account password');
      expect(second.logs.text).not.toContain('a different one 2');
      const count = await database.query('SELECT 1 FROM users WHERE role = $1', ['admin']);
      expect(count).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('promotes an existing account only when ADMIN_PASSWORD is its password', async () => {
    const registered = await http()
      .post('/api/auth/register')
      .send({ email: 'owner@example.com', password: 'the keys 4 all', name: 'O' });
    expect(registered.status).toBe(202);
    const wrong = await startProbeApp(database, {
      ADMIN_EMAIL: 'owner@example.com',
      ADMIN_PASSWORD: 'not the password 1',
    });
    await wrong.close();
    expect(wrong.logs.text).toContain('not promoted');
    const [kept] = await database.query<{ role: string }>(
      "SELECT role FROM users WHERE email = 'owner@example.com'",
    );
    expect(kept.role).toBe('user');

    const right = await startProbeApp(database, {
      ADMIN_EMAIL: 'owner@example.com',
      ADMIN_PASSWORD: 'the keys 4 all',
    });
    await right.close();
    const [promoted] = await database.query<{ role: string }>(
      "SELECT role FROM users WHERE email = 'owner@example.com'",
    );
    expect(promoted.role).toBe('admin');
  });

  it('creates one admin when two instances start together', async () => {
    const both = await Promise.all([
      startProbeApp(database, {
        ADMIN_EMAIL: 'pair@example.com',
        ADMIN_PASSWORD: 'double password 1',
      }),
      startProbeApp(database, {
        ADMIN_EMAIL: 'pair@example.com',
        ADMIN_PASSWORD: 'double password 1',
      }),
    ]);
    await Promise.all(both.map((p) => p.close()));
    const rows = await database.query("SELECT role FROM users WHERE email = 'pair@example.com'");
    expect(rows).toEqual([{ role: 'admin' }]);
  });
});
