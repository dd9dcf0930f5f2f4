// Process warnings a component knows to be noise. grpc-js (the etcd client) gives TLS the etcd
// endpoint's IP as the SNI server name, and Node warns (DEP0123) on every such connection;
// the certificate is still checked against the IP, so nothing is wrong but the log line.

/** Drops Node process warnings with the given codes; every other warning is emitted as before. */
export function silenceWarnings(codes: readonly string[]): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const codeOf = (args: unknown[]): unknown => {
    const second = args[1];
    // emitWarning(warning, { code }) or emitWarning(warning, type, code).
    if (second && typeof second === 'object') return (second as { code?: unknown }).code;
    return args[2];
  };
  process.emitWarning = ((...args: unknown[]) => {
    if (codes.includes(String(codeOf(args)))) return;
    emit(...args);
  }) as typeof process.emitWarning;
}
