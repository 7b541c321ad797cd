/**
 * How to build each part of a container from the other parts it needs. A factory names its needs
 * in its parameter type (`Pick<Parts, 'store' | 'clock'>`), so a container missing one of them
 * does not compile.
 */
export type Factories<Parts> = { [Key in keyof Parts]: (parts: Parts) => Parts[Key] };

/**
 * Builds every part once, each from its factory, in whatever order their needs require, and
 * returns them as a plain object. The full container (shared/app/services.ts) and each Lambda's
 * narrow one (functions/<name>/handler.ts) are both assembled from the same factories, so there is
 * one place that knows how to construct each service; a Lambda's bundle holds only the factories,
 * and therefore only the code, it names.
 */
export function assemble<Parts extends object>(factories: Factories<Parts>): Parts {
  const built = new Map<keyof Parts, unknown>();
  const building: (keyof Parts)[] = [];
  const parts = {} as Parts;
  const build = (key: keyof Parts): unknown => {
    if (built.has(key)) return built.get(key);
    if (building.includes(key)) throw new Error(`Services depend on each other in a circle: ${[...building, key].join(' → ')}`);
    building.push(key);
    const value = factories[key](parts);
    building.pop();
    built.set(key, value);
    return value;
  };
  const keys = Object.keys(factories) as (keyof Parts)[];
  for (const key of keys) Object.defineProperty(parts, key, { get: () => build(key), enumerable: true });
  return Object.fromEntries(keys.map((key) => [key, build(key)])) as Parts;
}
