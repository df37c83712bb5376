import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { isServerPath, WEB_INDEX, webAppCsp } from './web-app';

/**
 * Public: the web app's page for every other GET (its router draws the route). Registered last, so
 * every server route wins; a server path nobody serves stays a JSON 404.
 */
@ApiExcludeController()
@SkipThrottle()
@Controller()
export class WebAppController {
  @Get('{*path}')
  page(@Req() req: Request, @Res() res: Response): void {
    if (isServerPath(req.path)) throw new NotFoundException(`Cannot GET ${req.path}`);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', webAppCsp(req.secure));
    res.sendFile(WEB_INDEX, (error) => {
      if (error && !res.headersSent) {
        res.status(503).json({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The web app is not built: run npm run build',
        });
      }
    });
  }
}
