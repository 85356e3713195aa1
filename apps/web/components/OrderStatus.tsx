'use client';

import { useI18n } from '@/lib/i18n';
import { methodKey, orderStatusKey, orderStatusTone, providerKey, type OrderStatus } from '@/lib/orders';

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useI18n();
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-bold whitespace-nowrap ${orderStatusTone[status]}`} data-testid="order-status" data-status={status}>
      {t(orderStatusKey[status])}
    </span>
  );
}

/** The provider's name in the page's language (토스페이먼츠, Stripe, 즉시 결제(개발용)). */
export function useProviderName(): (provider: string) => string {
  const { t } = useI18n();
  return (provider) => {
    const key = providerKey(provider);
    return key ? t(key) : provider;
  };
}

/** 결제수단 on a receipt: the method, and who took it ("카드 · 토스페이먼츠"). */
export function usePaymentMethod(): (order: { method: string | null; provider: string }) => string {
  const { t } = useI18n();
  const providerName = useProviderName();
  return ({ method, provider }) => {
    const key = methodKey(method);
    const name = providerName(provider);
    if (provider === 'instant' || !method) return name;
    return `${key ? t(key) : method} · ${name}`;
  };
}
