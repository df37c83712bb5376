import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogService } from '../common/audit/audit-log.service';
import { IntegrationKeyRecord } from '../integration-keys/integration-key.repository';
import { IntegrationKeysService } from '../integration-keys/integration-keys.service';
import { auditedBy, Operator } from '../auth/admin-access';

export interface ApiKeyView {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it; the key itself is never shown again. */
  prefix: string;
  scopes: string[];
  source: 'env' | 'admin';
  /** `granted`: acts only for users who granted the integration; `all`: for any user. */
  user_scope: 'granted' | 'all';
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedApiKeyView extends ApiKeyView {
  /** The full key: shown in this response only (only its SHA-256 is stored). */
  key: string;
}

function toApiKeyView(record: IntegrationKeyRecord): ApiKeyView {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes,
    source: record.source,
    user_scope: record.userScope,
    created_by: record.createdBy,
    created_at: record.createdAt.toISOString(),
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
    revoked_at: record.revokedAt?.toISOString() ?? null,
  };
}

/** Integration keys for operators, each change with its audit row (never the key) in one transaction. */
@Injectable()
export class AdminApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IntegrationKeysService,
    private readonly audit: AuditLogService,
  ) {}

  create(
    admin: Operator,
    input: { name: string; scopes: string[]; user_scope?: 'granted' | 'all' },
  ): Promise<CreatedApiKeyView> {
    return this.dataSource.transaction(async (tx) => {
      const created = await this.keys.create(
        {
          name: input.name,
          scopes: input.scopes,
          userScope: input.user_scope,
          createdBy: admin.id,
        },
        tx,
      );
      const view = toApiKeyView(created);
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'api_key.create',
        target: { type: 'api_key', id: created.id },
        after: { ...view },
      });
      return { ...view, key: created.key };
    });
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(toApiKeyView);
  }

  /** Revoked at once: after the commit every instance drops its cached keys. */
  async revoke(admin: Operator, id: string): Promise<ApiKeyView> {
    const view = await this.dataSource.transaction(async (tx) => {
      const view = toApiKeyView(await this.keys.revoke(id, tx));
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'api_key.revoke',
        target: { type: 'api_key', id },
        after: { name: view.name, prefix: view.prefix, revoked_at: view.revoked_at },
      });
      return view;
    });
    await this.keys.announceRevocation();
    return view;
  }
}
