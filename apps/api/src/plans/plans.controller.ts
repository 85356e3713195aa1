import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { PLAN_ID } from '../config/plans-config.js';
import { localeOf } from '../common/locale.js';
import { AdminPlanView, ChoosePlanDto, CreatePlanDto, PlanChangeView, PlansPageView, PlanView, UpdatePlanDto } from './plans.dto.js';
import { PlansService } from './plans.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** A plan id from the path: anything else is a plan that does not exist. */
function planIdOf(value: string): string {
  if (!PLAN_ID.test(value)) throw new NotFoundError();
  return value;
}

@ApiTags('plans')
@ApiBearerAuth()
@Controller('plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  /** The plans on sale, the caller's own, and what changes at the next reset. */
  @Get()
  @ApiOkResponse({ type: PlansPageView })
  page(@CurrentUser() user: AuthUser, @Headers('accept-language') language?: string): Promise<PlansPageView> {
    return this.plans.page(user.id, localeOf(language));
  }

  /** Switches to a plan without a price (back to free: at the next reset); a paid plan starts with its payment. */
  @Post('choose')
  @HttpCode(200)
  @ApiOkResponse({ type: PlanChangeView })
  choose(@CurrentUser() user: AuthUser, @Body() body: ChoosePlanDto): Promise<PlanChangeView> {
    return this.plans.choose(user.id, body.planId);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin')
export class AdminPlansController {
  constructor(private readonly plans: PlansService) {}

  /** Every plan, retired ones too, with how many accounts are on it. */
  @Get('plans')
  @ApiOkResponse({ type: [AdminPlanView] })
  list(@Headers('accept-language') language?: string): Promise<AdminPlanView[]> {
    return this.plans.adminList(localeOf(language));
  }

  @Post('plans')
  @ApiOkResponse({ type: PlanView })
  create(@Body() body: CreatePlanDto, @Headers('accept-language') language?: string): Promise<PlanView> {
    return this.plans.create(body, localeOf(language));
  }

  /** Changes a plan's figures; from then on config (PLANS) no longer sets them. */
  @Patch('plans/:planId')
  @ApiOkResponse({ type: PlanView })
  update(@Param('planId') planId: string, @Body() body: UpdatePlanDto, @Headers('accept-language') language?: string): Promise<PlanView> {
    return this.plans.update(planIdOf(planId), body, localeOf(language));
  }

  /** Stops offering a plan; its subscribers keep it until they move. */
  @Post('plans/:planId/retire')
  @HttpCode(200)
  @ApiOkResponse({ type: PlanView })
  retire(@Param('planId') planId: string, @Headers('accept-language') language?: string): Promise<PlanView> {
    return this.plans.retire(planIdOf(planId), localeOf(language));
  }

  /** Puts an organization's pool on a plan (`enterprise`, say), as for a user: an upgrade applies now, a downgrade at the next reset. */
  @Put('organizations/:organizationId/plan')
  @ApiOkResponse({ type: PlanChangeView })
  assignOrganization(@CurrentUser() admin: AuthUser, @Param('organizationId', uuid) organizationId: string, @Body() body: ChoosePlanDto): Promise<PlanChangeView> {
    return this.plans.assign(admin.id, organizationId, body.planId, 'organization');
  }

  /** Puts a user on a plan: an upgrade applies now (the allowances' difference credited), a downgrade at the next reset. */
  @Put('users/:userId/plan')
  @ApiOkResponse({ type: PlanChangeView })
  assign(@CurrentUser() admin: AuthUser, @Param('userId', uuid) userId: string, @Body() body: ChoosePlanDto): Promise<PlanChangeView> {
    return this.plans.assign(admin.id, userId, body.planId, 'user');
  }
}
