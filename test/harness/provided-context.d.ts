// What the global setup hands every test file through vitest's inject().
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    etcdEndpoint: string;
  }
}
