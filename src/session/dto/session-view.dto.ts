import { ApiProperty } from '@nestjs/swagger';
import type { LiveLogin } from '../../auth/refresh-tokens.repository';
import type { Session } from '../entities/session.entity';

/** One of the caller's sessions or logins as they see it: never a token or its hash. */
export class SessionViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    enum: ['verified', 'login'],
    description:
      '`verified`: a VERIFIED session handed to a service; `login`: a password or Google login (its access tokens, refresh token and the chat sockets opened with them)',
  })
  kind!: 'verified' | 'login';
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
      kind: 'verified',
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt?.toISOString() ?? null,
      expiresAt: session.expiresAt.toISOString(),
      ip: session.ip,
      userAgent: session.userAgent,
      client: session.clientName,
      returnTo: session.returnTo,
    };
  }

  static fromLogin(login: LiveLogin): SessionViewDto {
    return {
      id: login.id,
      kind: 'login',
      createdAt: login.createdAt.toISOString(),
      lastUsedAt: login.lastUsedAt.toISOString(),
      expiresAt: login.expiresAt.toISOString(),
      ip: null,
      userAgent: null,
      client: null,
      returnTo: null,
    };
  }
}
