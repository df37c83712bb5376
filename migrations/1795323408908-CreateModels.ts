import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat models users may ask for. Prices are credits per 1,000 tokens (1 credit = US$0.01 at the
 * providers' list prices when seeded); operators change them, never the code.
 */
const SEED: [string, string, string, string, string, string, number, string | null][] = [
  // id, display name, provider, upstream id, input /1k, output /1k, max output, fallback
  ['gpt-5', 'GPT-5', 'openai', 'gpt-5', '0.125', '1', 128000, 'claude-sonnet-4-5'],
  ['gpt-5-mini', 'GPT-5 mini', 'openai', 'gpt-5-mini', '0.025', '0.2', 128000, 'claude-haiku-4-5'],
  ['gpt-4.1', 'GPT-4.1', 'openai', 'gpt-4.1', '0.2', '0.8', 32768, 'claude-sonnet-4-5'],
  ['gpt-4.1-mini', 'GPT-4.1 mini', 'openai', 'gpt-4.1-mini', '0.04', '0.16', 32768, 'gpt-4o-mini'],
  [
    'gpt-4o-mini',
    'GPT-4o mini',
    'openai',
    'gpt-4o-mini',
    '0.015',
    '0.06',
    16384,
    'claude-haiku-4-5',
  ],
  [
    'claude-opus-4-5',
    'Claude Opus 4.5',
    'anthropic',
    'claude-opus-4-5',
    '0.5',
    '2.5',
    64000,
    'gpt-5',
  ],
  [
    'claude-sonnet-4-5',
    'Claude Sonnet 4.5',
    'anthropic',
    'claude-sonnet-4-5',
    '0.3',
    '1.5',
    64000,
    'gpt-5',
  ],
  [
    'claude-haiku-4-5',
    'Claude Haiku 4.5',
    'anthropic',
    'claude-haiku-4-5',
    '0.1',
    '0.5',
    64000,
    'gpt-5-mini',
  ],
];

export class CreateModels1795323408908 implements MigrationInterface {
  name = 'CreateModels1795323408908';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE models (
        id varchar(64) PRIMARY KEY,
        display_name varchar(100) NOT NULL,
        provider varchar(16) NOT NULL CONSTRAINT models_provider_check CHECK (provider IN ('openai', 'anthropic')),
        upstream_model varchar(100) NOT NULL,
        input_price_per_1k numeric(14,6) NOT NULL CONSTRAINT models_input_price_check CHECK (input_price_per_1k >= 0),
        output_price_per_1k numeric(14,6) NOT NULL CONSTRAINT models_output_price_check CHECK (output_price_per_1k >= 0),
        max_output_tokens integer NOT NULL CONSTRAINT models_max_output_check CHECK (max_output_tokens > 0),
        fallback_model_id varchar(64) NULL CONSTRAINT models_fallback_fkey REFERENCES models (id) ON DELETE SET NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT models_fallback_check CHECK (fallback_model_id IS NULL OR fallback_model_id <> id)
      )`);
    for (const [id, name, provider, upstream, input, output, maxOut] of SEED) {
      await queryRunner.query(
        `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, name, provider, upstream, input, output, maxOut],
      );
    }
    for (const [id, , , , , , , fallback] of SEED) {
      await queryRunner.query(`UPDATE models SET fallback_model_id = $2 WHERE id = $1`, [
        id,
        fallback,
      ]);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE models`);
  }
}
