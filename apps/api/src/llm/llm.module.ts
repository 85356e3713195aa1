import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DemoProvider } from './demo.provider.js';
import { ModelCatalog } from './model-catalog.js';
import { MODEL_PROVIDER, type ModelProvider } from './model-provider.js';
import { OpenAiProvider } from './openai.provider.js';

/** With OPENAI_API_KEY: the OpenAI-compatible endpoint; without: the built-in demo consultant. */
export function createModelProvider(config: AppConfig): ModelProvider {
  const { openai } = config.chat;
  if (config.chat.provider === 'openai' && openai.apiKey) {
    return new OpenAiProvider({ apiKey: openai.apiKey, baseUrl: openai.baseUrl, timeoutMs: openai.timeoutMs });
  }
  return new DemoProvider(config.chat.demoDelayMs);
}

@Module({
  providers: [ModelCatalog, { provide: MODEL_PROVIDER, inject: [APP_CONFIG], useFactory: createModelProvider }],
  exports: [ModelCatalog, MODEL_PROVIDER],
})
export class LlmModule {}
