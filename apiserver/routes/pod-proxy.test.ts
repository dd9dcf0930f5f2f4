import { describe, expect, it } from 'vitest';
import { frameLength } from './pod-proxy.js';

describe('WebSocket frame lengths', () => {
  it('reads the 7-bit, 16-bit and 64-bit lengths, with and without a mask, and waits for whole frames', () => {
    expect(frameLength(Buffer.from([0x82, 0x03, 1, 2, 3]))).toBe(5);
    expect(frameLength(Buffer.from([0x82, 0x03, 1, 2]))).toBeUndefined();
    expect(frameLength(Buffer.from([0x82, 0x83, 9, 9, 9, 9, 1, 2, 3]))).toBe(9);
    const mid = Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256)]);
    expect(frameLength(mid)).toBe(260);
    expect(frameLength(mid.subarray(0, 100))).toBeUndefined();
    const big = Buffer.concat([Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(65536)]);
    expect(frameLength(big)).toBe(65546);
    expect(frameLength(Buffer.from([0x82]))).toBeUndefined();
  });
});
