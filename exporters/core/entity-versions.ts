/**
 * Render versions for a view's entity blocks (see exposition.ts): bumped on
 * every visible change, and drawn from one counter that only goes up, so an
 * entity removed and re-created between two scrapes never meets its old
 * cached lines under a version number it had before.
 */
export class EntityVersions {
  private last = 0;
  private readonly versions = new Map<string, number>();

  bump(key: string): void {
    this.versions.set(key, ++this.last);
  }

  get(key: string): number {
    return this.versions.get(key) ?? 0;
  }

  delete(key: string): void {
    this.versions.delete(key);
  }
}
