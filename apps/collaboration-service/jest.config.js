module.exports = { ...require('../../jest.preset.js'), displayName: 'collaboration-service', rootDir: __dirname };
