import { ApiProperty } from '@nestjs/swagger';
import { NOTIFICATION_KINDS } from '../database/schema.js';
import { OffsetPageQuery } from '../common/pagination.dto.js';

export class NotificationsQuery extends OffsetPageQuery {}

export class NotificationView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: NOTIFICATION_KINDS }) kind!: string;
  @ApiProperty({ enum: ['WARNING', 'CRITICAL', 'BLOCKED', 'NORMAL'] }) level!: string;
  @ApiProperty() title!: string;
  @ApiProperty() message!: string;
  @ApiProperty() usagePercent!: number;
  @ApiProperty() remainingTokens!: number;
  @ApiProperty({ description: 'Where to act: buy tokens, or the organization’s page for a notification about an organization' }) link!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The organization whose pool or member limit it is about; null for the reader’s own account' }) organizationId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Its name when notified (pool notifications)' }) organizationName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Plan notifications: the plan’s name in the reader’s language' }) planName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-12-01', description: 'Plan notifications: the local day the account moves to the free plan' }) planFreeFrom!: string | null;
  @ApiProperty() read!: boolean;
  @ApiProperty({ type: String, nullable: true }) readAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class NotificationPageView {
  @ApiProperty({ type: [NotificationView] }) items!: NotificationView[];
  @ApiProperty() total!: number;
  @ApiProperty() unreadCount!: number;
}

export class ReadAllView {
  @ApiProperty() updated!: number;
}

export class SweepResultView {
  @ApiProperty() job!: string;
  @ApiProperty() tick!: string;
  @ApiProperty({ description: 'False when another instance already ran this tick' }) ran!: boolean;
  @ApiProperty() notificationsCreated!: number;
  @ApiProperty() durationMs!: number;
}
