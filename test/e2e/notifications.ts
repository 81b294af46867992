/**
 * What reached the pager and the ticket webhook, by alert name and time:
 * the local pager (sim/pager) runs inside the test and reports every event.
 */
import type { LocalPager } from '../../sim/pager/pager.js';
import type { PagerEvent } from '../../sim/pager/events-v2.js';

export interface Notification {
  at: number;
  channel: 'page' | 'ticket';
  status: 'firing' | 'resolved';
  alerts: string[];
  event?: PagerEvent;
}

/** Alert names in an Alertmanager PagerDuty event: one `name: description` line each in details.firing / .resolved. */
function alertsInPage(event: PagerEvent, field: 'firing' | 'resolved'): string[] {
  const text = String(event.payload?.custom_details?.[field] ?? '');
  return text.split('\n').map((line) => line.split(':')[0]!.trim()).filter(Boolean);
}

export class Notifications {
  readonly all: Notification[] = [];
  /** Alert names each page's dedup key carried, so a resolve can be attributed. */
  private readonly pageAlerts = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();

  constructor(pager: LocalPager) {
    pager.on('trigger', (_incident, event: PagerEvent) => {
      const alerts = alertsInPage(event, 'firing');
      this.pageAlerts.set(event.dedup_key ?? '', alerts);
      this.add({ at: Date.now(), channel: 'page', status: 'firing', alerts, event });
    });
    pager.on('resolve', (_incident, event: PagerEvent) => {
      this.add({ at: Date.now(), channel: 'page', status: 'resolved', alerts: this.pageAlerts.get(event.dedup_key ?? '') ?? [], event });
    });
    pager.on('ticket', (ticket: { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> }) => {
      for (const status of ['firing', 'resolved'] as const) {
        const alerts = ticket.alerts.filter((a) => a.status === status).map((a) => a.labels.alertname ?? '');
        if (alerts.length > 0) this.add({ at: Date.now(), channel: 'ticket', status, alerts });
      }
    });
  }

  private add(n: Notification): void {
    this.all.push(n);
    for (const l of this.listeners) l();
  }

  find(alert: string, status: 'firing' | 'resolved', since: number): Notification | undefined {
    return this.all.find((n) => n.at >= since && n.status === status && n.alerts.includes(alert));
  }

  /** Resolves with the first matching notification at or after `since`; rejects after `timeoutMs`. */
  waitFor(alert: string, status: 'firing' | 'resolved', since: number, timeoutMs: number): Promise<Notification> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const n = this.find(alert, status, since);
        if (!n) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(n);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${alert} was not ${status === 'firing' ? 'notified' : 'resolved'} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }
}
