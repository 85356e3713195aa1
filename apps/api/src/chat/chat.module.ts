import { ArchiveModule } from '../archive/archive.module.js';
import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { LlmModule } from '../llm/llm.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { ChatTurnsService } from './chat-turns.service.js';
import { ChatController } from './chat.controller.js';
import { ChatRepository } from './chat.repository.js';
import { ChatService } from './chat.service.js';
import { ConversationsService } from './conversations.service.js';
import { OpenAiChatService } from './openai-chat.service.js';
import { OpenAiController } from './openai.controller.js';
import { TurnSettlementService } from './turn-settlement.service.js';

@Module({
  imports: [QuotaModule, LlmModule, ApiKeysModule, ArchiveModule],
  controllers: [ChatController, OpenAiController],
  providers: [ChatRepository, ChatService, TurnSettlementService, ChatTurnsService, ConversationsService, OpenAiChatService],
})
export class ChatModule {}
