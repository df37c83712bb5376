import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ConversationsService } from './conversations.service';
import {
  ConversationDto,
  ConversationPageDto,
  ConversationWithMessagesDto,
  RenameConversationDto,
} from './dto/conversation.dto';

/**
 * The signed-in user's chat conversations. Who may call: any user with a JWT access token, for
 * their own conversations only; another user's conversation answers 404, as a missing one does.
 */
@ApiTags('conversations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: 'Conversations, most recently updated first (cursor pagination)' })
  @ApiOkResponse({ type: ConversationPageDto })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: PageQueryDto,
  ): Promise<ConversationPageDto> {
    return this.conversations.list(user.id, query.limit ?? 20, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One conversation with its messages' })
  @ApiOkResponse({ type: ConversationWithMessagesDto })
  @ApiNotFoundResponse({ description: 'No such conversation of this user.' })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ConversationWithMessagesDto> {
    return this.conversations.get(user.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a conversation' })
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ description: 'No such conversation of this user.' })
  rename(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RenameConversationDto,
  ): Promise<ConversationDto> {
    return this.conversations.rename(user.id, id, dto.title);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages (ledger rows are kept)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No such conversation of this user.' })
  delete(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.conversations.delete(user.id, id);
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'A conversation as a Markdown file' })
  @ApiProduces('text/markdown')
  @ApiOkResponse({ description: 'The Markdown document.', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'No such conversation of this user.' })
  async export(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { markdown } = await this.conversations.exportMarkdown(user.id, id);
    // Set only on success (not with @Header): an error must go out as the JSON envelope.
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="conversation-${id}.md"`);
    return markdown;
  }
}
