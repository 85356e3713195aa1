/**
 * Where the account's plan stands, for the plans page: from the plan the API reports (paid
 * through which period, whether it ends unpaid at the reset) and the plan's subscription. Pure.
 */
import type { components } from '@consult-on/api-contract';
import { FREE_PLAN_ID } from './plans';

type CurrentPlanView = components['schemas']['CurrentPlanView'];
type SubscriptionView = components['schemas']['SubscriptionView'];

export type PlanStanding =
  /** Paid, and its renewal will be charged on `renewsAt`. */
  | { kind: 'renews'; renewsAt: string; amount: number }
  /** Its renewal was declined: unless paid before the reset, the account moves to free. */
  | { kind: 'failed' }
  /** Not renewing (cancelled, or its renewals gave up): free from the reset. */
  | { kind: 'ends' }
  /** Another plan chosen for the reset. */
  | { kind: 'moves'; nextName: string }
  /** Put on by an admin: no payment needed. */
  | { kind: 'contract' }
  /** Nothing to say: the free plan, or a paid month that runs on. */
  | { kind: 'free' };

export function planStanding(current: CurrentPlanView, subscriptions: readonly SubscriptionView[], nameOf: (planId: string) => string): PlanStanding {
  if (current.nextPlanId !== null) return { kind: 'moves', nextName: nameOf(current.nextPlanId) };
  const subscription = subscriptions.find((item) => item.planId === current.planId && item.status !== 'CANCELED');
  if (subscription?.status === 'PAST_DUE') return { kind: 'failed' };
  if (current.paidThrough === null) return current.planId === FREE_PLAN_ID ? { kind: 'free' } : { kind: 'contract' };
  if (subscription?.renewsAt) return { kind: 'renews', renewsAt: subscription.renewsAt, amount: subscription.amount };
  // Cancelled: it ends at the next reset, or (already paid past it) runs on without a word until then.
  return current.endsUnpaidAtReset ? { kind: 'ends' } : { kind: 'free' };
}
