import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type ModelConfig } from '../config/app-config.js';

/** Weights are applied in thousandths so that charges are computed with integers only. */
function milli(weight: number): number {
  return Math.round(weight * 1_000);
}

/** Tokens charged for a turn: ⌈prompt × input weight + completion × output weight⌉. */
export function chargedTokens(model: ModelConfig, promptTokens: number, completionTokens: number): number {
  return Math.ceil((promptTokens * milli(model.inputWeight) + completionTokens * milli(model.outputWeight)) / 1_000);
}

/** The most completion tokens a hold of `holdTokens` pays for after the prompt. */
export function completionTokensWithin(model: ModelConfig, holdTokens: number, promptTokens: number): number {
  return Math.floor((holdTokens * 1_000 - promptTokens * milli(model.inputWeight)) / milli(model.outputWeight));
}

@Injectable()
export class ModelCatalog {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get defaultModelId(): string {
    return this.config.chat.defaultModel;
  }

  list(): ModelConfig[] {
    return this.config.chat.models;
  }

  find(id: string | undefined): ModelConfig | undefined {
    return this.config.chat.models.find((model) => model.id === (id ?? this.config.chat.defaultModel));
  }
}
