/**
 * PagerDuty's Events API v2, as documented: what a valid event looks like.
 * The local pager checks every event Alertmanager sends against it, so a
 * page that would bounce off PagerDuty bounces here too.
 */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;

export interface PagerEvent {
  routing_key: string;
  event_action: (typeof ACTIONS)[number];
  dedup_key?: string;
  payload?: {
    summary: string;
    source: string;
    severity: (typeof SEVERITIES)[number];
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text?: string }>;
}

/** Every reason the event is invalid ([] when it is valid). */
export function validateEvent(body: unknown): string[] {
  const errors: string[] = [];
  const e = body as Partial<PagerEvent> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return ['the event must be a JSON object'];
  if (typeof e.routing_key !== 'string' || e.routing_key === '') errors.push("'routing_key' is missing or blank");
  if (!ACTIONS.includes(e.event_action as never)) errors.push(`'event_action' must be one of ${ACTIONS.join(', ')}`);
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
  if (e.event_action !== 'trigger' && !e.dedup_key) errors.push(`'dedup_key' is required to ${e.event_action}`);
  if (e.event_action === 'trigger') {
    const p = e.payload;
    if (typeof p !== 'object' || p === null) errors.push("'payload' is required for a trigger");
    else {
      if (typeof p.summary !== 'string' || p.summary === '' || p.summary.length > 1024) errors.push("'payload.summary' must be 1 to 1024 characters");
      if (typeof p.source !== 'string' || p.source === '') errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(p.severity as never)) errors.push(`'payload.severity' must be one of ${SEVERITIES.join(', ')}`);
    }
  }
  return errors;
}
