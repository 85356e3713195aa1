'use client';

import { relativeCost } from '@/lib/chat-models';
import { useI18n, type Key } from '@/lib/i18n';
import type { ModelView } from '@consult-on/api-contract';

const names: Record<string, Key> = { 'consult-basic': 'chatModelBasic', 'consult-pro': 'chatModelPro' };

/** The model of the open conversation, each with what it costs next to the cheapest ("표준", "×4"); one the plan leaves out is shown, not chosen. */
export function ModelPicker({ models, model, onChange, disabled }: { models: ModelView[]; model: string | null; onChange: (id: string) => void; disabled?: boolean }) {
  const { t } = useI18n();
  if (models.length === 0 || !model) return null;
  const label = (m: ModelView) => {
    const cost = relativeCost(m, models);
    const name = names[m.id] ? t(names[m.id]!) : m.id;
    const price = `${name} · ${cost === 1 ? t('chatModelStandard') : t('chatModelTimes', { n: cost })}`;
    return !m.allowed ? `${price} (${t('chatModelNotInPlan')})` : price;
  };
  const current = models.find((m) => m.id === model);
  const cost = current ? relativeCost(current, models) : 1;
  return (
    <label className="flex shrink-0 items-center gap-1 text-xs text-slate-700">
      <span>{t('chatModel')}</span>
      <select
        className="rounded-md border border-slate-300 bg-white py-0.5 pr-6 pl-1.5 text-xs text-slate-900"
        value={model}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        title={cost === 1 ? undefined : t('chatModelCostHint', { n: cost })}
        data-testid="model-picker"
      >
        {models.map((m) => (
          <option key={m.id} value={m.id} disabled={!m.allowed}>
            {label(m)}
          </option>
        ))}
      </select>
    </label>
  );
}
