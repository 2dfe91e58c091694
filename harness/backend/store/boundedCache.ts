/**
 * A map that keeps at most `max` entries, dropping the least recently used one beyond that: a read
 * or a write moves an entry to the newest end of the Map's insertion order, and the oldest end is
 * what goes first.
 *
 * Not lru-cache: it allocates arrays of `max` entries when constructed, and the model suite starts a
 * backend (three caches of 10,000) for each of its paths; that allocation and its collection were 2 % of
 * the suite's profile and most of a backend's start. A Map grows only with what is put in it.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  private newest: K | undefined = undefined;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`a cache bound must be a whole number >= 1, not ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Most reads are of the newest entry (a device's next message): no need to move it then.
    if (this.newest !== key) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }

  delete(key: K): boolean {
    if (this.newest === key) this.newest = undefined;
    return this.entries.delete(key);
  }
}
