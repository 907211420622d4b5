module.exports = { ...require('../../jest.preset.js'), displayName: 'agent-service', rootDir: __dirname };
