import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ConsentFormDto, LoginFormDto } from './dto/interaction-forms.dto';
import { InteractionService } from './interaction.service';

const HTML = { 'text/html': { schema: { type: 'string' } } };

/**
 * The pages of an authorization (opened in the person's browser by oidc-provider): sign in, then
 * consent. Server-rendered, Thai or English, no scripts; forms post here.
 */
@ApiTags('oauth')
@Controller('oauth/interaction')
export class InteractionController {
  constructor(private readonly interactions: InteractionService) {}

  /** The browser the authorization started in. */
  @Get(':uid')
  @ApiOperation({ summary: 'Sign-in or consent page of an authorization (HTML)' })
  @ApiParam({ name: 'uid', description: "oidc-provider's interaction id" })
  @ApiResponse({ status: 200, description: 'The sign-in or the consent page', content: HTML })
  @ApiResponse({ status: 400, description: 'Expired or unknown interaction (page)', content: HTML })
  @ApiResponse({ status: 403, description: 'Another browser (page)', content: HTML })
  show(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.interactions.show(req, res);
  }

  /** The hub's Google login sends the browser back here (return_to=oauth). */
  @Get(':uid/google')
  @ApiOperation({ summary: 'Back from the Google login with a sign-in ticket' })
  @ApiParam({ name: 'uid', description: "oidc-provider's interaction id" })
  @ApiQuery({ name: 'ticket', required: true, description: 'Sign-in ticket (2 minutes)' })
  @ApiResponse({ status: 303, description: 'Back to the authorization (signed in)' })
  @ApiResponse({ status: 401, description: 'Bad or expired ticket (page)', content: HTML })
  @ApiResponse({ status: 400, description: 'Expired or unknown interaction (page)', content: HTML })
  google(
    @Req() req: Request,
    @Res() res: Response,
    @Query('ticket') ticket?: string,
  ): Promise<void> {
    return this.interactions.google(req, res, typeof ticket === 'string' ? ticket : undefined);
  }

  @Post(':uid/login')
  @ApiOperation({ summary: 'Sign in with a hub account (form)' })
  @ApiParam({ name: 'uid', description: "oidc-provider's interaction id" })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: LoginFormDto })
  @ApiResponse({ status: 303, description: 'Back to the authorization (signed in)' })
  @ApiResponse({ status: 401, description: 'Wrong email or password (page)', content: HTML })
  @ApiResponse({
    status: 403,
    description: 'Disabled account, bad form token (page)',
    content: HTML,
  })
  @ApiResponse({ status: 429, description: 'Too many tries (page)', content: HTML })
  login(@Req() req: Request, @Res() res: Response, @Body() form: LoginFormDto): Promise<void> {
    return this.interactions.login(req, res, form);
  }

  @Post(':uid/consent')
  @ApiOperation({ summary: 'Allow (with a cap at most the proposed one) or deny (form)' })
  @ApiParam({ name: 'uid', description: "oidc-provider's interaction id" })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: ConsentFormDto })
  @ApiResponse({ status: 303, description: 'Back to the authorization, then to the app' })
  @ApiResponse({
    status: 400,
    description: 'A cap above the proposal, or malformed (page)',
    content: HTML,
  })
  @ApiResponse({ status: 403, description: 'Bad form token (page)', content: HTML })
  consent(@Req() req: Request, @Res() res: Response, @Body() form: ConsentFormDto): Promise<void> {
    return this.interactions.consent(req, res, form);
  }
}
