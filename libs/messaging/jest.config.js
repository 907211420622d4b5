// One test file at a time: the fault-injection suite keeps both cores busy for about a minute, and
// the relay's timing tests (backoff while NATS is down) starved beside it on a 2-core machine.
module.exports = { ...require('../../jest.preset.js'), displayName: 'messaging', rootDir: __dirname, maxWorkers: 1 };
