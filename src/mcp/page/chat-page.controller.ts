import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { CHAT_PAGE_HTML, CHAT_PAGE_SCRIPT } from './chat-page';

/** Public: the static try-it page; signing in happens in the page (session code or login). */
@ApiExcludeController()
@SkipThrottle()
@Controller('chat')
export class ChatPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return CHAT_PAGE_HTML;
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return CHAT_PAGE_SCRIPT;
  }
}
