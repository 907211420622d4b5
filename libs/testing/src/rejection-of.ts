/**
 * The error `promise` rejects with, which must be an instance of `type`: the test fails when the
 * promise resolves (showing its value) or rejects with anything else.
 */
export async function rejectionOf<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof type)) throw outcome.error;
  return outcome.error;
}
