import { z } from 'zod';

/** A plan as config seeds it (see database/schema-plans.ts for what each figure means). */
export interface PlanConfig {
  id: string;
  name: { ko: string; en: string };
  monthlyTokens: number;
  /** Model ids; null: every model the service offers. */
  models: string[] | null;
  completionLimit: number;
  turnsPerMinute: number;
  concurrentTurns: number;
  /** KRW per month, VAT included; 0 for a free plan. */
  priceKrw: number;
  forSale: boolean;
}

/** Every account starts on it, and goes back to it when a paid plan ends. */
export const FREE_PLAN_ID = 'free';

/** What a plan id may be: it appears in paths and in config. */
export const PLAN_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** The model ids of `models` the service does not offer. */
export function unknownModels(models: readonly string[] | null, offered: readonly string[]): string[] {
  return (models ?? []).filter((model) => !offered.includes(model));
}

/** The seeded plans; `free`'s allowance is QUOTA_FREE_MONTHLY_TOKENS (the report's 100,000). */
export function defaultPlans(freeMonthlyTokens: number): PlanConfig[] {
  return [
    { id: FREE_PLAN_ID, name: { ko: '무료', en: 'Free' }, monthlyTokens: freeMonthlyTokens, models: null, completionLimit: 2_048, turnsPerMinute: 30, concurrentTurns: 5, priceKrw: 0, forSale: true },
    { id: 'plus', name: { ko: '플러스', en: 'Plus' }, monthlyTokens: 1_000_000, models: null, completionLimit: 4_096, turnsPerMinute: 60, concurrentTurns: 8, priceKrw: 9_900, forSale: true },
    { id: 'pro', name: { ko: '프로', en: 'Pro' }, monthlyTokens: 5_000_000, models: null, completionLimit: 8_192, turnsPerMinute: 120, concurrentTurns: 16, priceKrw: 29_000, forSale: true },
    { id: 'enterprise', name: { ko: '엔터프라이즈', en: 'Enterprise' }, monthlyTokens: 20_000_000, models: null, completionLimit: 8_192, turnsPerMinute: 600, concurrentTurns: 64, priceKrw: 990_000, forSale: false },
  ];
}

const figures = {
  name: z.object({ ko: z.string().min(1).max(40), en: z.string().min(1).max(40) }),
  monthlyTokens: z.number().int().min(0).max(1e12),
  models: z.array(z.string().min(1).max(64)).min(1).max(50).nullable(),
  completionLimit: z.number().int().positive().max(1_000_000),
  turnsPerMinute: z.number().int().positive().max(100_000),
  concurrentTurns: z.number().int().positive().max(10_000),
  priceKrw: z.number().int().min(0).max(100_000_000),
  forSale: z.boolean(),
};
const override = z.record(z.string().regex(PLAN_ID), z.object(figures).partial().strict());

/**
 * PLANS: JSON of plan id → the figures to change from the defaults, e.g.
 * `{"plus":{"monthlyTokens":2000000,"priceKrw":12900}}`; an id that is not seeded adds a plan (every figure then required).
 */
export function parsePlans(json: string | undefined, freeMonthlyTokens: number, modelIds: readonly string[]): PlanConfig[] {
  const plans = defaultPlans(freeMonthlyTokens);
  if (json) {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new Error('PLANS is not valid JSON.');
    }
    const parsed = override.safeParse(raw);
    if (!parsed.success) throw new Error(`PLANS: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    for (const [id, changes] of Object.entries(parsed.data)) {
      const index = plans.findIndex((plan) => plan.id === id);
      if (index >= 0) {
        plans[index] = { ...plans[index]!, ...changes };
        continue;
      }
      const complete = z.object(figures).safeParse(changes);
      if (!complete.success) throw new Error(`PLANS: the new plan ${id} needs every figure: ${complete.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
      plans.push({ id, ...complete.data });
    }
  }
  for (const plan of plans) {
    const unknown = unknownModels(plan.models, modelIds);
    if (unknown.length > 0) throw new Error(`PLANS: plan ${plan.id} names models that are not offered: ${unknown.join(', ')}`);
  }
  const free = plans.find((plan) => plan.id === FREE_PLAN_ID)!;
  if (free.priceKrw !== 0 || !free.forSale) throw new Error('PLANS: the free plan is where every account falls back to: it must cost 0 and stay for sale.');
  return plans;
}
