import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { ChatTurnsService } from './chat-turns.service.js';
import { ChatController } from './chat.controller.js';
import { ChatRepository } from './chat.repository.js';
import { ChatService } from './chat.service.js';
import { ConversationsService } from './conversations.service.js';
import { TurnSettlementService } from './turn-settlement.service.js';

@Module({
  imports: [QuotaModule, LlmModule],
  controllers: [ChatController],
  providers: [ChatRepository, ChatService, TurnSettlementService, ChatTurnsService, ConversationsService],
})
export class ChatModule {}
