import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat conversations that persist (issue 15): one row per conversation, one per message. A
 * message keeps the id of the ledger row that charged it, without a foreign key: deleting a
 * conversation deletes its messages and never a ledger row. Models get the context window that
 * a conversation's history is trimmed to.
 */
export class Conversations1795340001510 implements MigrationInterface {
  name = 'Conversations1795340001510';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title varchar(200) NOT NULL,
        model varchar(64) NOT NULL,
        total_cost numeric(20,4) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE conversation_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        role varchar(16) NOT NULL
          CONSTRAINT conversation_messages_role_check CHECK (role IN ('system', 'user', 'assistant')),
        content text NOT NULL,
        content_tokens integer NOT NULL CHECK (content_tokens >= 0),
        model varchar(64) NULL,
        input_tokens integer NULL,
        output_tokens integer NULL,
        cost numeric(20,4) NULL,
        transaction_id uuid NULL,
        status varchar(16) NOT NULL
          CONSTRAINT conversation_messages_status_check CHECK (status IN ('complete', 'cancelled', 'failed')),
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, seq)`,
    );
    await queryRunner.query(
      `ALTER TABLE models ADD COLUMN context_window integer NOT NULL DEFAULT 128000
         CONSTRAINT models_context_window_check CHECK (context_window > 0)`,
    );
    await queryRunner.query(
      `UPDATE models SET context_window = 200000 WHERE provider = 'anthropic'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE models DROP COLUMN context_window`);
    await queryRunner.query(`DROP TABLE conversation_messages`);
    await queryRunner.query(`DROP TABLE conversations`);
  }
}
