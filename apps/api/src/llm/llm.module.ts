import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DemoProvider } from './demo.provider.js';
import { ModelCatalog } from './model-catalog.js';
import { MODEL_PROVIDER, type ModelProvider } from './model-provider.js';
import { OpenAiProvider } from './openai.provider.js';
import { TokenCounter } from './token-counter.js';

/** With OPENAI_API_KEY: the OpenAI-compatible endpoint; without: the built-in demo consultant. */
export function createModelProvider(config: AppConfig, counter: TokenCounter): ModelProvider {
  const { openai } = config.chat;
  if (config.chat.provider === 'openai' && openai.apiKey) {
    return new OpenAiProvider({ apiKey: openai.apiKey, baseUrl: openai.baseUrl, timeoutMs: openai.timeoutMs });
  }
  return new DemoProvider(config.chat.demoDelayMs, counter);
}

@Module({
  providers: [ModelCatalog, TokenCounter, { provide: MODEL_PROVIDER, inject: [APP_CONFIG, TokenCounter], useFactory: createModelProvider }],
  exports: [ModelCatalog, TokenCounter, MODEL_PROVIDER],
})
export class LlmModule {}
