import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { localeOf } from '../common/locale.js';
import { NotificationPageView, NotificationsQuery, NotificationView, ReadAllView } from './notifications.dto.js';
import { NotificationStreamService } from './notification-stream.service.js';
import { NotificationsService } from './notifications.service.js';

/** Aborts when the client hangs up, also when it already did while the auth guard ran. */
function closeSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  if (response.destroyed) controller.abort();
  else response.once('close', () => controller.abort());
  return controller.signal;
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly stream: NotificationStreamService,
  ) {}

  @Get()
  @ApiOkResponse({ type: NotificationPageView })
  list(@CurrentUser() user: AuthUser, @Query() query: NotificationsQuery, @Headers('accept-language') language?: string): Promise<NotificationPageView> {
    return this.notifications.list(user.id, query, localeOf(language));
  }

  /** Live notifications and usage-level changes; resumes after `Last-Event-ID`. */
  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiOkResponse({ description: 'event: notification | usage, with an id per event; `closed` (reason replaced or shutdown) when the server ends it' })
  async live(@CurrentUser() user: AuthUser, @Req() request: Request, @Res() response: Response): Promise<void> {
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : null;
    await this.stream.subscribe(user.id, localeOf(request.headers['accept-language']), lastEventId, {
      signal: closeSignal(response),
      open: () => {
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        response.write(': connected\n\n');
      },
      send: (event) => response.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`),
      heartbeat: () => response.write(': keep-alive\n\n'),
      end: (reason) => response.end(`event: closed\ndata: ${JSON.stringify({ reason })}\n\n`),
    });
  }

  @Patch(':id/read')
  @ApiOkResponse({ type: NotificationView })
  read(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() })) id: string,
    @Headers('accept-language') language?: string,
  ): Promise<NotificationView> {
    return this.notifications.markRead(user.id, id, localeOf(language));
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadAllView })
  async readAll(@CurrentUser() user: AuthUser): Promise<ReadAllView> {
    return { updated: await this.notifications.markAllRead(user.id) };
  }
}
