import { continueTrace, currentTrace, currentTraceparent, runInTrace } from '../src/trace-context';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

it('continues the caller’s trace with a span of its own', () => {
  const trace = continueTrace(CALLER);
  expect(trace.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(trace.spanId).not.toBe('b7ad6b7169203331');
});

it.each([undefined, null, '', 'garbage', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`])(
  'starts a new trace when the header is %p',
  (header) => {
    const trace = continueTrace(header);
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.traceId).not.toBe('0'.repeat(32));
  },
);

it('keeps the trace across awaits and gives outgoing messages a traceparent', async () => {
  const trace = continueTrace(CALLER);
  expect(currentTraceparent()).toBeUndefined();
  const seen = await runInTrace(trace, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { trace: currentTrace(), traceparent: currentTraceparent() };
  });
  expect(seen).toEqual({ trace, traceparent: `00-${trace.traceId}-${trace.spanId}-01` });
});
