import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../entities/session.entity';

/** One of the caller's sessions as they see it: never the token or its hash. */
export class SessionViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ nullable: true }) ip!: string | null;
  @ApiProperty({ nullable: true }) userAgent!: string | null;
  @ApiProperty({ nullable: true, description: 'The service the session was handed to, when known' })
  client!: string | null;
  @ApiProperty({ nullable: true, example: 'chatgpt' }) returnTo!: string | null;

  static from(session: Session): SessionViewDto {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt?.toISOString() ?? null,
      expiresAt: session.expiresAt.toISOString(),
      ip: session.ip,
      userAgent: session.userAgent,
      client: session.clientName,
      returnTo: session.returnTo,
    };
  }
}
