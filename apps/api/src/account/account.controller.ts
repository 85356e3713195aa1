import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { sendAttachment, sendCsv } from '../common/csv-download.js';
import { AuthRateLimit } from '../common/rate-limit.js';
import { DeleteAccountDto, DeletedView } from './account.dto.js';
import { AccountService } from './account.service.js';

/** The signed-in user's own account: take the data along, or delete it. */
@ApiTags('account')
@ApiBearerAuth()
@Controller('account')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  /** Everything kept about the caller as one JSON file (profile, conversations, ledger, purchases, notifications…). */
  @Get('export')
  @AuthRateLimit()
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'A JSON attachment: exportedAt, profile, tokenAccount, organizations, apiKeys, conversations (with messages), ledger, purchases, subscriptions, notifications' })
  async export(@CurrentUser() user: AuthUser, @Res() response: Response): Promise<void> {
    await sendAttachment(response, 'application/json; charset=utf-8', await this.account.exportJson(user.id));
  }

  /** The caller's own ledger as CSV, oldest first. */
  @Get('export/ledger.csv')
  @AuthRateLimit()
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 with a byte order mark; the columns of the organization ledger file' })
  async ledgerCsv(@CurrentUser() user: AuthUser, @Res() response: Response): Promise<void> {
    await sendCsv(response, await this.account.ledgerCsv(user.id));
  }

  /** Deletes the caller's account for good (password required). The ledger and payments are kept, anonymized. */
  @Post('delete')
  @AuthRateLimit()
  @HttpCode(200)
  @ApiOkResponse({ type: DeletedView })
  async delete(@CurrentUser() user: AuthUser, @Body() body: DeleteAccountDto): Promise<DeletedView> {
    await this.account.delete(user.id, body.password);
    return { deleted: true };
  }
}
