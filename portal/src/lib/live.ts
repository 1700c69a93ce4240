// Live account updates: the API's Server-Sent Events for an account (payments posted, bills issued).
import { useEffect, useRef } from 'preact/hooks';

export interface AccountEvent {
  type: string;
  accountId: string;
  balanceCents: number;
  [k: string]: unknown;
}

export function useAccountEvents(accountId: string | null, onEvent: (e: AccountEvent) => void) {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!accountId) return;
    const es = new EventSource(`/accounts/${encodeURIComponent(accountId)}/events`);
    const on = (m: MessageEvent) => handler.current({ type: m.type, ...JSON.parse(m.data) });
    for (const t of [
      'balance',
      'payment.succeeded',
      'payment.refunded',
      'payment.returned',
      'bill.issued',
      'bill.rebilled',
      'adjustment.posted',
    ])
      es.addEventListener(t, on as EventListener);
    es.onmessage = on;
    return () => es.close();
  }, [accountId]);
}
