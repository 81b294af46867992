/**
 * The local pager: a FAKE PagerDuty (PagerDuty cannot run here) that takes
 * Events API v2 at POST /v2/enqueue, checks each event as PagerDuty would,
 * and keeps incidents by dedup_key; plus the webhook receiver that stands in
 * for a ticketing system at POST /tickets. The stack routes pages here when
 * no PagerDuty routing key is given; the end-to-end test uses it as its pager.
 *   GET /incidents   every incident (open and resolved), newest first
 *   GET /tickets     every webhook notification received
 *   GET /            the same, as a page a person can read
 */
import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../exporters/core/clock.js';
import { createFastify, InputError } from '../../exporters/core/http.js';
import type { Logger } from '../../exporters/core/log.js';
import { Rejections } from '../../exporters/core/self-metrics.js';
import { validateEvent, type PagerEvent } from './events-v2.js';

export interface Incident {
  dedupKey: string;
  status: 'triggered' | 'resolved';
  summary: string;
  severity: string;
  routingKey: string;
  /** The alert names in the page (from the group Alertmanager sent). */
  group: string;
  triggeredAt: number;
  resolvedAt?: number;
  events: PagerEvent[];
}

export interface Ticket {
  receivedAt: number;
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** Incidents and tickets kept; older ones are forgotten, so a long-running stack stays bounded. */
const KEEP = 1000;

export class LocalPager extends EventEmitter {
  readonly incidents = new Map<string, Incident>();
  readonly tickets: Ticket[] = [];
  readonly app: FastifyInstance;

  constructor(
    private readonly clock: Clock,
    log: Logger,
  ) {
    super();
    this.app = createFastify({ log, rejections: new Rejections(), bodyLimitBytes: 1024 * 1024 });
    this.app.post('/v2/enqueue', async (request, reply) => {
      const errors = validateEvent(request.body);
      if (errors.length > 0) return reply.code(400).send({ status: 'invalid event', message: 'Event object is invalid', errors });
      const dedupKey = this.accept(request.body as PagerEvent);
      return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    });
    this.app.post('/tickets', async (request, reply) => {
      const body = request.body as { version?: string; status?: string; alerts?: Ticket['alerts'] };
      if (body?.version !== '4' || !Array.isArray(body.alerts)) throw new InputError(400, 'invalid_webhook', 'expected an Alertmanager webhook (version "4") with an alerts array');
      const ticket: Ticket = { receivedAt: this.clock.now(), status: body.status ?? '', alerts: body.alerts };
      this.tickets.push(ticket);
      if (this.tickets.length > KEEP) this.tickets.shift();
      this.emit('ticket', ticket);
      return reply.code(200).send({ status: 'ok' });
    });
    this.app.get('/incidents', async () => ({ incidents: this.list() }));
    this.app.get('/tickets', async () => ({ tickets: this.tickets }));
    this.app.get('/healthz', async () => ({ status: 'ok' }));
    this.app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(this.page()));
  }

  list(): Incident[] {
    return [...this.incidents.values()].sort((a, b) => b.triggeredAt - a.triggeredAt);
  }

  private accept(event: PagerEvent): string {
    const dedupKey = event.dedup_key ?? `local-${this.incidents.size + 1}`;
    const now = this.clock.now();
    let incident = this.incidents.get(dedupKey);
    if (event.event_action === 'trigger') {
      if (!incident || incident.status === 'resolved') {
        incident = {
          dedupKey, status: 'triggered', summary: event.payload!.summary, severity: event.payload!.severity, routingKey: event.routing_key,
          group: event.payload!.group ?? '', triggeredAt: now, events: [],
        };
        this.incidents.delete(dedupKey);
        this.incidents.set(dedupKey, incident);
        this.forgetOldest(this.incidents);
        incident.events.push(event);
        this.emit('trigger', incident, event);
        return dedupKey;
      }
      // The same incident again, e.g. Alertmanager re-sending its group because alerts joined it.
      incident.summary = event.payload!.summary;
      incident.events.push(event);
      this.emit('update', incident, event);
      return dedupKey;
    } else if (event.event_action === 'resolve' && incident && incident.status === 'triggered') {
      incident.status = 'resolved';
      incident.resolvedAt = now;
      incident.events.push(event);
      this.emit('resolve', incident, event);
      return dedupKey;
    }
    incident?.events.push(event);
    return dedupKey;
  }

  private forgetOldest(map: Map<string, unknown>): void {
    while (map.size > KEEP) map.delete(map.keys().next().value!);
  }

  private page(): string {
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const rows = this.list().map((i) => `<tr><td>${esc(i.status)}</td><td>${esc(i.severity)}</td><td>${esc(i.summary)}</td><td>${new Date(i.triggeredAt).toISOString()}</td><td>${i.resolvedAt ? new Date(i.resolvedAt).toISOString() : ''}</td></tr>`);
    const tickets = this.tickets.slice(-50).reverse().map((t) => `<tr><td>${esc(t.status)}</td><td>${esc(t.alerts.map((a) => a.labels.alertname ?? '').join(', '))}</td><td>${new Date(t.receivedAt).toISOString()}</td></tr>`);
    return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>fleetwatch local pager</title>
<h1>Local pager</h1><p>Pages (critical alerts) that would have gone to PagerDuty. Set a PagerDuty routing key to page for real.</p>
<table border="1" cellpadding="4"><tr><th>status</th><th>severity</th><th>summary</th><th>triggered</th><th>resolved</th></tr>${rows.join('')}</table>
<h2>Tickets (warning alerts)</h2><table border="1" cellpadding="4"><tr><th>status</th><th>alerts</th><th>received</th></tr>${tickets.join('')}</table>`;
  }
}
