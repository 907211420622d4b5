module.exports = { ...require('../../jest.preset.js'), displayName: 'mcp-database', rootDir: __dirname };
