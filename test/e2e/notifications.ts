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
  /** One per alert, the same for the same alert instance: its labels (tickets), its page and name (pages). */
  keys: string[];
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
    const page = (status: 'firing' | 'resolved') => (_incident: unknown, event: PagerEvent) => {
      const dedup = event.dedup_key ?? '';
      // A resolve names no alerts: it ends the ones its page carried.
      const alerts = status === 'firing' ? alertsInPage(event, 'firing') : (this.pageAlerts.get(dedup) ?? []);
      if (status === 'firing') this.pageAlerts.set(dedup, [...new Set([...(this.pageAlerts.get(dedup) ?? []), ...alerts])]);
      this.add({ at: Date.now(), channel: 'page', status, alerts, keys: alerts.map((a) => `${dedup}/${a}`), event });
    };
    pager.on('trigger', page('firing'));
    // Alertmanager re-sends a page when alerts join its group: the new ones are notified then.
    pager.on('update', page('firing'));
    pager.on('resolve', page('resolved'));
    pager.on('ticket', (ticket: { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> }) => {
      for (const status of ['firing', 'resolved'] as const) {
        const alerts = ticket.alerts.filter((a) => a.status === status);
        if (alerts.length === 0) continue;
        const keys = alerts.map((a) => JSON.stringify(Object.entries(a.labels).sort()));
        this.add({ at: Date.now(), channel: 'ticket', status, alerts: alerts.map((a) => a.labels.alertname ?? ''), keys });
      }
    });
  }

  private add(n: Notification): void {
    this.all.push(n);
    for (const l of this.listeners) l();
  }

  /** Distinct instances of an alert notified firing since `since` (several faults can raise the same alert on different entities). */
  instances(alert: string, since: number): Set<string> {
    const keys = new Set<string>();
    for (const n of this.all) {
      if (n.at < since || n.status !== 'firing') continue;
      n.alerts.forEach((a, i) => {
        if (a === alert) keys.add(n.keys[i]!);
      });
    }
    return keys;
  }

  /** Pages opened (distinct incidents) since `since`. */
  pagesSince(since: number): Set<string> {
    return new Set(this.all.filter((n) => n.at >= since && n.channel === 'page' && n.status === 'firing').map((n) => n.event?.dedup_key ?? ''));
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
