import { expect } from 'vitest';
import { JumpgateError } from '../../shared/model/errors';

/** The coded error a promise rejects with; fails the test if it resolves or rejects with something else. */
export async function failure(promise: Promise<unknown>): Promise<JumpgateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JumpgateError);
  return error as JumpgateError;
}
