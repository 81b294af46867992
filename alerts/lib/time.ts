/**
 * Time in rules. Every window, `for` and seconds threshold in a rule goes
 * through `duration()` or `seconds()`, which leave a marker that rendering
 * resolves: as written for the real rule file, or sped up for the end-to-end
 * test, which runs the same rules on a clock many times faster than life.
 */
const MARK = /⟪(\d+(?:\.\d+)?)(ms|s|m|h|d)?⟫/g;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A Prometheus duration (`5m`, `1h`): a range window, an offset or a `for`. */
export function duration(text: string): string {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return `⟪${text}⟫`;
}

/** A number of seconds compared with time arithmetic (`time() - t > 600`). */
export function seconds(n: number): string {
  return `⟪${n}⟫`;
}

function formatDuration(secondsValue: number): string {
  if (secondsValue === 0) return '0s';
  const ms = Math.max(1, Math.round(secondsValue * 1000));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Resolves the markers in `text`: as written when `scale` is 1, else every time multiplied by `scale`. */
export function resolveTimes(text: string, scale = 1): string {
  return text.replace(MARK, (_all, value: string, unit: string | undefined) => {
    if (scale === 1) return `${value}${unit ?? ''}`;
    const secondsValue = Number(value) * (unit ? UNIT_SECONDS[unit]! : 1) * scale;
    return unit ? formatDuration(secondsValue) : String(Math.round(secondsValue * 1000) / 1000);
  });
}
