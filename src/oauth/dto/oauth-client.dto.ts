import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { OAuthClientView } from '../oauth-clients.service';
import { HUB_SCOPES } from '../oauth-scopes';

const AMOUNT = /^\d{1,16}(\.\d{1,4})?$/;
const AMOUNT_MESSAGE = 'must be a decimal amount with up to 4 decimals, or null';

/** The spending grant a client proposes at consent (the user may lower it). */
export class DefaultGrantDto {
  @ApiProperty({ enum: ['day', 'month'] })
  @IsIn(['day', 'month'])
  period!: 'day' | 'month';

  @ApiProperty({ type: String, nullable: true, example: '50', description: 'null: no cap' })
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(AMOUNT, { message: `period_cap ${AMOUNT_MESSAGE}` })
  period_cap!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'null: no cap' })
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(AMOUNT, { message: `total_cap ${AMOUNT_MESSAGE}` })
  total_cap!: string | null;
}

/** An admin registers an app (ChatGPT GPT Action, an integration's backend, an MCP server). */
export class CreateOAuthClientDto {
  @ApiProperty({ example: 'My Custom GPT' })
  @IsString()
  @Length(1, 100)
  client_name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://example.com/logo.png' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false })
  logo_uri?: string | null;

  @ApiProperty({
    type: [String],
    example: ['https://chat.openai.com/aip/g-XXXX/oauth/callback'],
    description: 'Matched exactly',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 2000, { each: true })
  redirect_uris!: string[];

  @ApiProperty({
    enum: ['confidential', 'public'],
    description: 'confidential: has a secret (a server); public: none (an app or MCP client, PKCE)',
  })
  @IsIn(['confidential', 'public'])
  client_type!: 'confidential' | 'public';

  @ApiPropertyOptional({
    enum: ['client_secret_post', 'client_secret_basic'],
    default: 'client_secret_post',
    description: 'How a confidential client sends its secret to the token endpoint',
  })
  @IsOptional()
  @IsIn(['client_secret_post', 'client_secret_basic'])
  token_endpoint_auth_method?: 'client_secret_post' | 'client_secret_basic';

  @ApiProperty({ type: [String], enum: HUB_SCOPES, example: ['credits:read', 'credits:spend'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(HUB_SCOPES, { each: true })
  scopes!: string[];

  @ApiPropertyOptional({ type: DefaultGrantDto, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @ValidateNested()
  @Type(() => DefaultGrantDto)
  default_grant?: DefaultGrantDto | null;

  @ApiPropertyOptional({
    default: true,
    description:
      'false: a confidential client may omit PKCE (ChatGPT GPT Actions); public clients always use it',
  })
  @IsOptional()
  @IsBoolean()
  pkce_required?: boolean;
}

export class UpdateOAuthClientDto extends PartialType(CreateOAuthClientDto) {}

export class OAuthClientDto {
  @ApiProperty() client_id!: string;
  @ApiProperty() client_name!: string;
  @ApiProperty({ type: String, nullable: true }) logo_uri!: string | null;
  @ApiProperty({ type: [String] }) redirect_uris!: string[];
  @ApiProperty({ enum: ['confidential', 'public'] }) client_type!: string;
  @ApiProperty({ enum: ['client_secret_post', 'client_secret_basic', 'none'] })
  token_endpoint_auth_method!: string;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ type: DefaultGrantDto }) default_grant!: DefaultGrantDto;
  @ApiProperty() pkce_required!: boolean;
  @ApiProperty({ enum: ['admin', 'dynamic'] }) registered_by!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) created_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;

  static from(client: OAuthClientView): OAuthClientDto {
    return Object.assign(new OAuthClientDto(), {
      client_id: client.clientId,
      client_name: client.name,
      logo_uri: client.logoUri,
      redirect_uris: client.redirectUris,
      client_type: client.clientType,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      scopes: client.scopes,
      default_grant: Object.assign(new DefaultGrantDto(), client.defaultGrant),
      pkce_required: client.pkceRequired,
      registered_by: client.registeredBy,
      created_at: client.createdAt?.toISOString() ?? null,
      updated_at: client.updatedAt?.toISOString() ?? null,
    });
  }
}

/** A new client, with its secret: shown in this response only. */
export class CreatedOAuthClientDto extends OAuthClientDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The client secret (confidential clients), shown once; null for public clients',
  })
  client_secret!: string | null;

  static fromCreated(client: OAuthClientView, secret: string | null): CreatedOAuthClientDto {
    return Object.assign(new CreatedOAuthClientDto(), OAuthClientDto.from(client), {
      client_secret: secret,
    });
  }
}

export class OAuthClientListDto {
  @ApiProperty({ type: [OAuthClientDto] }) items!: OAuthClientDto[];
}
