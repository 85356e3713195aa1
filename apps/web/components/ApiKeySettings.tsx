'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Spinner } from '@/components/AppShell';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { QueryFailed } from '@/components/QueryFailed';
import { DailyChart, seriesRows } from '@/components/UsageChart';
import { api } from '@/lib/api';
import { KEY_LIMITS, limitText, parseKeyLimit, type ApiKeyUsageView, type ApiKeyView, type UpdateApiKeyDto } from '@/lib/api-keys';
import { useModels } from '@/lib/chat-models';
import { useI18n, type Key } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';

type LimitField = keyof typeof KEY_LIMITS;

const LIMIT_FIELDS: readonly { field: LimitField; label: Key; hint: Key }[] = [
  { field: 'monthlyBudgetTokens', label: 'keyBudget', hint: 'keyBudgetHint' },
  { field: 'turnsPerMinute', label: 'keyRate', hint: 'keyRateHint' },
  { field: 'concurrentTurns', label: 'keyConcurrent', hint: 'keyConcurrentHint' },
];

/** What the key used this month, against its budget when it has one. */
export function keyUsageText(key: ApiKeyView, t: ReturnType<typeof useI18n>['t'], nf: (value: number) => string): string {
  const used = nf(key.usage.consumedTokens);
  return key.monthlyBudgetTokens === null ? t('keyUsedThisMonth', { used }) : t('keyUsedOfBudget', { used, budget: nf(key.monthlyBudgetTokens) });
}

/** The key's daily charges over 30 days, with its budget as the line to stay under. */
function KeyUsage({ apiKey }: { apiKey: ApiKeyView }) {
  const { t, nf } = useI18n();
  const usage = useQuery({ queryKey: [...queryKeys.apiKeys(apiKey.organizationId), 'usage', apiKey.id], queryFn: () => api<ApiKeyUsageView>(`/api/api-keys/${apiKey.id}/usage`) });
  if (usage.isPending) return <Spinner />;
  if (usage.isError) return <QueryFailed error={usage.error} onRetry={() => void usage.refetch()} />;
  return (
    <div data-testid="key-usage">
      <p className="text-sm text-slate-700 tabular-nums" data-testid="key-usage-month">
        {keyUsageText(apiKey, t, nf)}
        {usage.data.remainingTokens !== null ? ` · ${t('keyRemaining', { remaining: nf(usage.data.remainingTokens) })}` : ''}
      </p>
      {/* No budget line: the 30 days may span two months, and the budget is a month's. */}
      <DailyChart rows={seriesRows(usage.data.days)} height={200} label={t('keyUsageChart')} />
    </div>
  );
}

/**
 * A key's settings in a dialog: its budget, turns a minute, turns in flight (each empty for
 * none), the models it may use (none chosen: all its plan's), whether its turns are kept — and
 * its use over the last 30 days. The API's refusal is shown in the dialog.
 */
export function ApiKeySettings({ apiKey, onClose }: { apiKey: ApiKeyView; onClose: () => void }) {
  const { t, nf } = useI18n();
  const id = useId();
  const client = useQueryClient();
  const models = useModels();
  const [limits, setLimits] = useState<Record<LimitField, string>>({
    monthlyBudgetTokens: limitText(apiKey.monthlyBudgetTokens),
    turnsPerMinute: limitText(apiKey.turnsPerMinute),
    concurrentTurns: limitText(apiKey.concurrentTurns),
  });
  const [chosen, setChosen] = useState<Set<string>>(new Set(apiKey.models ?? []));
  const [keep, setKeep] = useState(apiKey.keepConversations);
  const [invalid, setInvalid] = useState<LimitField | null>(null);
  const save = useMutation({
    mutationFn: (body: UpdateApiKeyDto) => api<ApiKeyView>(`/api/api-keys/${apiKey.id}`, { method: 'PATCH', body }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys(apiKey.organizationId) });
      onClose();
    },
  });
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    // Only models the catalog still has: one taken out since would make the API refuse every change.
    const known = models.data ? [...chosen].filter((model) => models.data.some((candidate) => candidate.id === model)) : [...chosen];
    const body: UpdateApiKeyDto = { models: known.length ? known : null, keepConversations: keep };
    for (const { field } of LIMIT_FIELDS) {
      const parsed = parseKeyLimit(limits[field], KEY_LIMITS[field]);
      if (!parsed.valid) {
        setInvalid(field);
        document.getElementById(`${id}-${field}`)?.focus();
        return;
      }
      body[field] = parsed.value;
    }
    setInvalid(null);
    if (!save.isPending) save.mutate(body);
  };
  const invalidField = LIMIT_FIELDS.find((entry) => entry.field === invalid);
  const bounds = invalid ? KEY_LIMITS[invalid] : null;
  return (
    <ConfirmDialog
      id={`key-settings-${apiKey.id}`}
      title={t('keySettingsTitle', { name: apiKey.name })}
      confirmLabel={save.isPending ? t('keySaving') : t('keySave')}
      pending={save.isPending}
      error={save.error}
      onConfirm={() => submit()}
      onClose={onClose}
      testId="key-settings-dialog"
      tone="primary"
    >
      <form onSubmit={submit} noValidate className="space-y-3" data-testid="key-settings">
        {LIMIT_FIELDS.map(({ field, label, hint }) => (
          <div key={field}>
            <label htmlFor={`${id}-${field}`} className="block text-sm font-medium">
              {t(label)}
            </label>
            <input
              id={`${id}-${field}`}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              className="input mt-1 w-full"
              value={limits[field]}
              onChange={(event) => {
                setLimits({ ...limits, [field]: event.target.value });
                if (invalid === field) setInvalid(null);
              }}
              aria-invalid={invalid === field ? true : undefined}
              aria-describedby={`${id}-${field}-hint${invalid === field ? ` ${id}-invalid` : ''}`}
              data-testid={`key-${field}`}
            />
            <p id={`${id}-${field}-hint`} className="mt-1 text-xs text-slate-600">
              {t(hint)}
            </p>
            {invalid === field && invalidField && bounds && (
              <p id={`${id}-invalid`} role="alert" className="mt-1 text-xs text-red-800" data-testid="key-limit-invalid">
                {t('keyLimitInvalid', { field: t(invalidField.label), min: nf(bounds.min), max: nf(bounds.max) })}
              </p>
            )}
          </div>
        ))}
        <fieldset>
          <legend className="text-sm font-medium">{t('keyModels')}</legend>
          <p className="text-xs text-slate-600">{t('keyModelsHint')}</p>
          {models.isPending ? (
            <Spinner />
          ) : models.isError ? (
            <QueryFailed error={models.error} onRetry={() => void models.refetch()} />
          ) : (
            <ul className="mt-1 space-y-1">
              {models.data.map((model) => (
                <li key={model.id}>
                  <label className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      checked={chosen.has(model.id)}
                      onChange={(event) => {
                        const next = new Set(chosen);
                        if (event.target.checked) next.add(model.id);
                        else next.delete(model.id);
                        setChosen(next);
                      }}
                      data-testid="key-model"
                      value={model.id}
                    />
                    <span className="font-mono break-all">{model.id}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1" checked={keep} onChange={(event) => setKeep(event.target.checked)} data-testid="key-keep" />
          <span>
            <span className="font-medium">{t('keyKeep')}</span>
            <span className="block text-xs text-slate-600">{t('keyKeepHint')}</span>
          </span>
        </label>
        {/* Enter in a field saves, as the dialog's button does. */}
        <button type="submit" className="sr-only" tabIndex={-1}>
          {t('keySave')}
        </button>
      </form>
      <div className="mt-4 border-t border-slate-200 pt-3">
        <h3 className="mb-1 text-sm font-semibold">{t('keyUsageChart')}</h3>
        <KeyUsage apiKey={apiKey} />
      </div>
    </ConfirmDialog>
  );
}
