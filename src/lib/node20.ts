// Node 20 shim for @kubernetes/client-node 2.x: it depends on undici 8 (engines: node >= 22.19),
// whose decompress interceptor binds zlib.createZstdDecompress at load time, which Node 20 lacks.
// Import this module before @kubernetes/client-node. The Kubernetes API server never answers with
// zstd content encoding, so the stand-in is never called; it throws if it ever is.
import zlib from 'node:zlib';

type ZstdFactory = (...args: unknown[]) => never;
const z = zlib as unknown as Record<string, unknown>;
if (typeof z.createZstdDecompress !== 'function') {
  const unsupported: ZstdFactory = () => {
    throw new Error('zstd content encoding needs Node >= 22.15 (undici 8 under Node 20)');
  };
  z.createZstdDecompress = unsupported;
  z.createZstdCompress = unsupported;
}

// undici 8's web CacheStorage calls worker_threads.markAsUncloneable (Node >= 22.10) at load time;
// a no-op only loses a guard against structured-cloning its objects.
import workerThreads from 'node:worker_threads';
const w = workerThreads as unknown as Record<string, unknown>;
if (typeof w.markAsUncloneable !== 'function') w.markAsUncloneable = (_o: object): void => undefined;

// undici 8's fetch calls Promise.withResolvers (Node >= 22).
interface Resolvers<T> { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e?: unknown) => void }
const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
