import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

/** Public: the old try-it page moved into the web app's chat (`/chats`). */
@ApiExcludeController()
@SkipThrottle()
@Controller('chat')
export class ChatPageController {
  @Get()
  @Redirect('/chats', 301)
  page(): { url: string } {
    return { url: '/chats' };
  }
}
