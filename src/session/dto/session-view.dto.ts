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
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at!: string | null;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The service the session was handed to, when known',
  })
  client_name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'chatgpt' }) return_to!: string | null;

  static from(session: Session): SessionViewDto {
    return {
      id: session.id,
      kind: 'verified',
      created_at: session.createdAt.toISOString(),
      last_used_at: session.lastUsedAt?.toISOString() ?? null,
      expires_at: session.expiresAt.toISOString(),
      ip: session.ip,
      user_agent: session.userAgent,
      client_name: session.clientName,
      return_to: session.returnTo,
    };
  }

  static fromLogin(login: LiveLogin): SessionViewDto {
    return {
      id: login.id,
      kind: 'login',
      created_at: login.createdAt.toISOString(),
      last_used_at: login.lastUsedAt.toISOString(),
      expires_at: login.expiresAt.toISOString(),
      ip: null,
      user_agent: null,
      client_name: null,
      return_to: null,
    };
  }
}
