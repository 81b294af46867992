/**
 * The lines a FAKE Butler logs, as adobe/butler v1.5.0 writes them through
 * logrus' TextFormatter{FullTimestamp: true} to a file or pipe: logfmt with
 * an RFC 3339 time (seconds) and the message Go-quoted. Only the messages
 * that carry a code are made here (the exporter's README lists them).
 */

/** Go's %q for the ASCII text Butler logs here; JSON's escapes agree on it. */
const goQuote = (text: string) => JSON.stringify(text);

/** Butler's time format: RFC 3339, whole seconds. */
const rfc3339 = (seconds: number) => new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z');

function line(seconds: number, level: 'info' | 'error', message: string): string {
  return `time="${rfc3339(seconds)}" level=${level} msg=${goQuote(message)}`;
}

/** internal/reloaders/http.go, after a reload answered 200. */
export function reloadSucceeded(now: number, count: number, manager: string): string {
  return line(now, 'info', `HTTPReloader::Reload()[count=${count}][manager=${manager}]: successfully reloaded config. http_code=200`);
}

/** internal/reloaders/http.go, a reload answered with another code (no retry on 5xx). */
export function reloadRefused(now: number, count: number, manager: string, code: number): string {
  return line(now, 'error', `HTTPReloader::Reload()[count=${count}][manager=${manager}]: received bad response from server. http_code=${code}`);
}

/** internal/reloaders/http.go, Butler's code 1: the manager did not answer within the reloader timeout, retries included. */
export function reloadTimedOut(now: number, count: number, manager: string, url: string, attempts: number): string {
  const err = `POST ${url} giving up after ${attempts} attempt(s): Post ${goQuote(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  return line(now, 'error', `HTTPReloader::Reload()[count=${count}][manager=${manager}]: err=${err}`);
}

/** internal/config/manager.go: a final answer other than 200 that is not retried (4xx). */
export function downloadRefused(now: number, count: number, manager: string, url: string, code: number): string {
  return line(now, 'error', `ManagerOpts::DownloadConfigFile()[count=${count}][manager=${manager}]: Did not receive 200 response code for ${url}. code=${code}`);
}

/** internal/config/manager.go: no answer, or 5xx retried until go-retryablehttp gave up. */
export function downloadGaveUp(now: number, count: number, manager: string, url: string, attempts: number): string {
  return line(now, 'error', `ManagerOpts::DownloadConfigFile()[count=${count}][manager=${manager}]: Could not download from ${url}, err=GET ${url} giving up after ${attempts} attempt(s)`);
}
