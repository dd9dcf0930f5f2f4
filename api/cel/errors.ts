/** An evaluation error raised by a library function, worded as cel-go words it. */
export class CelRuntimeError extends Error {}
