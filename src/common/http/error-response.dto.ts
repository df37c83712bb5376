import { ApiProperty } from '@nestjs/swagger';

/**
 * The one error shape of the API (`toErrorBody`), pinned by the seeds in camelCase. An error may
 * add fields of its own after these four (snake_case), e.g. a 402's `balance` and `required`.
 */
export class ErrorResponseDto {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason, or a short label' })
  error!: string;
  @ApiProperty({ example: 'Session not found' }) message!: string;
  @ApiProperty({ description: 'The X-Request-ID of the request, for support and the logs' })
  requestId!: string;
}
