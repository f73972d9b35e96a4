import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMoto, type MotoPeer } from './moto';

/**
 * One moto for the describe block that calls this: leased before its tests, given back after,
 * and (unless `resetBeforeEach` is false) emptied before each test so no test sees another's
 * instances, secrets or rules. Call it before the block's own hooks: theirs then run on a
 * started, empty moto. Returns the peer's accessor (the peer exists only once the block runs).
 */
export function motoForSuite(options: { resetBeforeEach?: boolean } = {}): () => MotoPeer {
  let moto: MotoPeer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.dispose();
  });
  if (options.resetBeforeEach !== false) {
    beforeEach(async () => {
      await peer().reset();
    });
  }
  const peer = (): MotoPeer => {
    if (!moto) throw new Error('moto is used outside the describe block that started it');
    return moto;
  };
  return peer;
}
