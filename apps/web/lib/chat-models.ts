'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { ModelView } from '@consult-on/api-contract';

/** The models a turn may use (GET /api/chat/models); they change only with the server's configuration. */
export const modelsKey = ['chat-models'] as const;

/** The models with whether the user's plan includes each (a plan changes rarely: read again every few minutes). */
export function useModels() {
  return useQuery({ queryKey: modelsKey, queryFn: () => api<ModelView[]>('/api/chat/models'), staleTime: 5 * 60_000 });
}

/**
 * What a model costs next to the cheapest one: the larger of its two weight ratios, rounded to
 * one decimal (1 is "standard"). A model weighted 2 for the question and 4 for the answer against
 * one weighted 1 and 1 is ×4: an answer, the bulk of most turns, costs four times as much.
 */
export function relativeCost(model: ModelView, models: readonly ModelView[]): number {
  if (models.length === 0) return 1;
  const input = Math.min(...models.map((m) => m.inputWeight));
  const output = Math.min(...models.map((m) => m.outputWeight));
  const ratio = Math.max(input > 0 ? model.inputWeight / input : 1, output > 0 ? model.outputWeight / output : 1);
  return Math.round(ratio * 10) / 10;
}

const modelKey = (conversationId: string | null) => `consulton.model.${conversationId ?? 'new'}`;

function readModel(conversationId: string | null): string | null {
  if (conversationId === null) return null;
  try {
    return window.localStorage.getItem(modelKey(conversationId));
  } catch {
    return null;
  }
}

/** Remembers the model a conversation uses (the server also keeps the last one with the conversation). */
export function rememberModel(conversationId: string | null, model: string): void {
  try {
    window.localStorage.setItem(modelKey(conversationId), model);
  } catch {
    /* not remembered: the server's record of the conversation still has it */
  }
}

/**
 * The model of the open conversation: the one chosen for it here, else the one the server last
 * used for it (`serverModel`), else the default (a new conversation starts on it). Changing it
 * remembers it for this conversation.
 */
export function useModelChoice(conversationId: string | null, serverModel: string | null | undefined): { models: ModelView[]; model: string | null; setModel: (id: string) => void } {
  const { data: models = [] } = useModels();
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => setChosen(readModel(conversationId)), [conversationId]);
  // A model the plan does not include is not kept: the conversation goes on with the plan's default.
  const known = (id: string | null | undefined): id is string => !!id && models.some((m) => m.id === id && m.allowed);
  const model = known(chosen) ? chosen : known(serverModel) ? serverModel : (models.find((m) => m.isDefault)?.id ?? models[0]?.id ?? null);
  const setModel = useCallback(
    (id: string) => {
      // A conversation not started yet keeps the choice in memory; its first turn remembers it under its id.
      if (conversationId !== null) rememberModel(conversationId, id);
      setChosen(id);
    },
    [conversationId],
  );
  return { models, model, setModel };
}
