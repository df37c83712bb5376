import { ApiProperty } from '@nestjs/swagger';

/** RFC 9728 protected-resource metadata: where an app gets tokens for this resource. */
export class ProtectedResourceMetadataDto {
  @ApiProperty({ example: 'https://hub.example.com/api/mcp/v1' }) resource!: string;
  @ApiProperty({ type: [String], example: ['https://hub.example.com/oauth'] })
  authorization_servers!: string[];
  @ApiProperty({ type: [String] }) scopes_supported!: string[];
  @ApiProperty({ type: [String], example: ['header'] }) bearer_methods_supported!: string[];
  @ApiProperty() resource_name!: string;
}
