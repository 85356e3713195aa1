import { Controller, Get, Headers, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { localeOf } from '../common/locale.js';
import { AdminOrganizationDetailView, AdminOrganizationPageView, AdminOrganizationsQuery } from './organizations.dto.js';
import { OrganizationsService } from './organizations.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** Organizations for the service's admins: the list (most used pool first), and one with its pool and members' use of it. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin/organizations')
export class AdminOrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiOkResponse({ type: AdminOrganizationPageView })
  list(@Query() query: AdminOrganizationsQuery): Promise<AdminOrganizationPageView> {
    return this.organizations.adminList(query);
  }

  @Get(':organizationId')
  @ApiOkResponse({ type: AdminOrganizationDetailView })
  get(@Param('organizationId', uuid) organizationId: string, @Headers('accept-language') language?: string): Promise<AdminOrganizationDetailView> {
    return this.organizations.adminGet(organizationId, localeOf(language));
  }
}
